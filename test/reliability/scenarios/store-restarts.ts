import {
  allOperations,
  execOn,
  FINAL,
  type OperationUpdate,
  UPSERT_CONTACTS,
} from '../../support/write-contract';
import { type GraphqlAnswer, judge, postGraphql, readyzStatus, sleep, Tally } from '../support/answers';
import { type Fleet } from '../support/fleet';
import { rel } from '../support/rel';

/**
 * Issue 23, scenario 3: Redis (append-only file) and then the MongoDB-wire store are killed and, after
 * an outage, started again on the same address and files, while clients read contacts, read a field
 * mapping and write contacts through both gateways. While a store is down a client gets a retryable
 * UNAVAILABLE or a right answer — never a wrong one, a 500 or a body that is not JSON; every gateway's
 * /readyz says 503 while it is down and 200 after; every process recovers by itself (the same pids);
 * every accepted write ends SUCCEEDED, none twice in the sandbox. Needs a fleet with `privateMongo`.
 */
export interface StoreRestartsSize {
  /** How long each store stays down. */
  downMs: number;
  /** Concurrent clients, each cycling read, read, mapping read, write over both gateways. */
  clients: number;
  /** Contacts per upsertContacts request. */
  list: number;
}

export const STORE_RESTARTS_FULL: StoreRestartsSize = { downMs: 10_000, clients: 6, list: 10 };

/** A store's outage may take /readyz this long to notice (its checks time out at STORE_TIMEOUT_MS). */
const NOTICE_MS = 3000;
/** The longest a recovery may take before the scenario fails. */
const RECOVERY_LIMIT_MS = 60_000;

const CONTACTS = `query Outage($c: ID!) { contacts(connectionId: $c, first: 5) { edges { node { remoteId email firstName lastName } } } }`;
const MAPPING = `query OutageMapping($c: ID!) { fieldMapping(connectionId: $c, object: CONTACT) { object nativeObject version fields { canonical native overridden writable } } }`;

type Store = 'redis' | 'mongodb';

export async function storeRestarts(fleet: Fleet, size: StoreRestartsSize): Promise<void> {
  const { hubspot, salesforce } = fleet.tenant.connections;
  await fleet.stack.unthrottle('hubspot', hubspot);
  await fleet.stack.unthrottle('salesforce', salesforce);
  const key = fleet.tenant.key;
  const urls = fleet.urls;
  const pids = [...fleet.gateways, ...fleet.workers].map((p) => p.pid);

  // What a right answer is: the contacts as the sandbox holds them (HubSpot is not written to here),
  // the same through every gateway, and the mapping as it is before any fault.
  const baseline = await postGraphql(urls[0]!, key, CONTACTS, { c: hubspot });
  const expectedContacts = baseline.data;
  const nodes = (expectedContacts as { contacts: { edges: { node: { email: string } }[] } } | undefined)
    ?.contacts.edges;
  expect(nodes).toHaveLength(5);
  const sandboxEmails = fleet.stack.recordsBy('hubspot', 'contact', 'email');
  for (const { node } of nodes!) expect(sandboxEmails.get(node.email)).toBe(1);
  const expectedMapping = (await postGraphql(urls[0]!, key, MAPPING, { c: salesforce })).data;
  expect(expectedMapping).toBeDefined();

  const tally = new Tally();
  const unavailableBy: Record<Store, number> = { redis: 0, mongodb: 0 };
  let down: Store | undefined;
  const accepted: string[] = [];
  /** Which store was down when each operation was accepted: what a lost one's report says. */
  const acceptedWhile = new Map<string, string>();
  const started = Date.now();
  const at = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
  const timeline: string[] = [];
  const tag = `o${Date.now().toString(36)}`;
  let written = 0;
  const write = async (url: string): Promise<GraphqlAnswer> => {
    const from = written;
    written += size.list;
    const items = Array.from({ length: size.list }, (_, i) => ({
      input: {
        firstName: 'Outage',
        lastName: `O${from + i}`,
        email: `outage-${tag}-${from + i}@example.org`,
      },
    }));
    const sent = `sent ${at()} (${down ?? 'none'} down)`;
    const answer = await postGraphql(url, key, UPSERT_CONTACTS, { c: salesforce, items });
    if (judge(answer) === 'ok') {
      const ids = (answer.data as { upsertContacts: { id: string }[] }).upsertContacts.map((o) => o.id);
      accepted.push(...ids);
      ids.forEach((id, i) =>
        acceptedWhile.set(id, `${items[i]!.input.email} ${sent}, answered ${at()} (${down ?? 'none'} down)`),
      );
    }
    return answer;
  };
  /** One client request of kind `step % 4`, judged and counted. */
  const request = async (step: number, url: string): Promise<void> => {
    const kind = step % 4;
    const [what, answer, expected] =
      kind === 3
        ? ['write', await write(url), undefined]
        : kind === 2
          ? ['mapping', await postGraphql(url, key, MAPPING, { c: salesforce }), expectedMapping]
          : ['contacts', await postGraphql(url, key, CONTACTS, { c: hubspot }), expectedContacts];
    const verdict = tally.add(
      `${what} via ${url}${down ? ` (${down} down)` : ''}`,
      answer,
      judge(answer, expected),
    );
    if (verdict === 'unavailable' && down) unavailableBy[down] += 1;
    // An UNAVAILABLE is retryable: a client waits a little before it asks again.
    if (verdict !== 'ok') await sleep(100);
  };

  let stopped = false;
  const clients = Array.from({ length: size.clients }, async (_, c) => {
    for (let step = c; !stopped; step++) {
      await request(step, urls[(c + step) % urls.length]!).catch((err: unknown) => {
        // The gateways never stop here: a refused connection would be a broken answer too.
        tally.counts.broken += 1;
        tally.brokenSamples.push(`client ${c}: ${String(err)}`);
      });
    }
  });

  const recoverySeconds: Partial<Record<Store, number>> = {};
  const readyWhileDown: string[] = [];
  const outage = async (store: Store) => {
    await sleep(2000);
    const killedAt = Date.now();
    timeline.push(`${store} killed ${at()}`);
    down = store;
    const restarted = store === 'redis' ? fleet.crashRedis(size.downMs) : fleet.crashMongo(size.downMs);
    await sleep(NOTICE_MS);
    while (Date.now() < killedAt + size.downMs - 500) {
      const polls = await Promise.all(urls.map(async (url) => ({ url, ...(await readyzStatus(url)) })));
      // Only a poll answered before the restart began speaks of the outage.
      if (Date.now() >= killedAt + size.downMs) break;
      for (const r of polls) {
        if (r.status !== 503) readyWhileDown.push(`${r.url} ${store} down: ${r.status} ${r.state}`);
      }
      await sleep(500);
    }
    await restarted;
    timeline.push(`${store} restarted ${at()}`);
    const back = Date.now();
    down = undefined;
    // Recovered: every gateway ready again and serving a read and a write of its own.
    for (;;) {
      const ready = await Promise.all(
        urls.map(async (url) => {
          if ((await readyzStatus(url)).status !== 200) return false;
          const read = await postGraphql(url, key, CONTACTS, { c: hubspot });
          return judge(read, expectedContacts) === 'ok' && judge(await write(url)) === 'ok';
        }),
      );
      if (ready.every(Boolean)) break;
      if (Date.now() - back > RECOVERY_LIMIT_MS) break;
      await sleep(200);
    }
    recoverySeconds[store] = (Date.now() - back) / 1000;
  };
  try {
    await outage('redis');
    await outage('mongodb');
    await sleep(2000);
  } finally {
    stopped = true;
    await Promise.all(clients);
  }

  // Every accepted write ends final, read back through the gateways once nothing is open any more.
  let ops: OperationUpdate[];
  for (const deadline = Date.now() + 300_000; ;) {
    ops = await allOperations(execOn(urls[1]!, key), salesforce);
    if (ops.every((o) => FINAL.has(o.status)) || Date.now() > deadline) break;
    await sleep(2000);
  }
  const byId = new Map(ops.map((o) => [o.id, o]));
  const lost = accepted.filter((id) => !byId.has(id) || !FINAL.has(byId.get(id)!.status));
  const notSucceeded = accepted.filter((id) => byId.get(id)?.status !== 'SUCCEEDED');
  const ours = [...fleet.stack.recordsBy('salesforce', 'contact', 'Email')].filter(([email]) =>
    email.startsWith(`outage-${tag}-`),
  );
  const duplicated = ours.filter(([, n]) => n > 1).length;
  const samePids = [...fleet.gateways, ...fleet.workers].map((p) => p.pid);

  rel('stores.answers_ok', tally.counts.ok, 'answers');
  rel('stores.unavailable.redis', unavailableBy.redis, 'answers');
  rel('stores.unavailable.mongodb', unavailableBy.mongodb, 'answers');
  rel('stores.wrong_answers', tally.counts.broken, 'answers');
  rel('stores.readyz_up_while_down', readyWhileDown.length, 'polls');
  rel('stores.recovery.redis', recoverySeconds.redis ?? -1, 's');
  rel('stores.recovery.mongodb', recoverySeconds.mongodb ?? -1, 's');
  rel('stores.accepted', accepted.length, 'ops');
  rel('stores.lost', lost.length, 'ops');
  rel('stores.not_succeeded', notSucceeded.length, 'ops');
  rel('stores.duplicated', duplicated, 'records');
  rel('stores.process_restarts', samePids.filter((pid, i) => pid !== pids[i]).length, 'processes');

  if (tally.brokenSamples.length > 0) {
    // The gateways log what they answered INTERNAL_SERVER_ERROR for ("unexpected error").
    const unexpected = fleet
      .output()
      .split('\n')
      .filter(
        (l) =>
          l.includes('"unexpected error"') &&
          !/Mongo(ServerSelection|Network)Error|MaxRetriesPerRequest/.test(l),
      );
    console.warn(
      `broken answers:\n${tally.brokenSamples.join('\n')}\n${unexpected.join('\n').slice(0, 6000)}`,
    );
  }
  if (lost.length > 0 || notSucceeded.length > 0) {
    const stored = await fleet.stack.ctx.store.writeOperations.findByIds(fleet.tenant.tenantId, notSucceeded);
    const inSandbox = fleet.stack.recordsBy('salesforce', 'contact', 'Email');
    console.warn(
      `accepted but not SUCCEEDED:\n${notSucceeded
        .map(
          (id, i) =>
            `${id} ${acceptedWhile.get(id)}: listed ${byId.get(id)?.status ?? 'no'}, stored ${stored[i]?.status ?? 'no'}, in the sandbox ${inSandbox.get(acceptedWhile.get(id)!.split(' ')[0]!) ?? 0}`,
        )
        .join('\n')}\n${timeline.join('\n')}\nprocesses (tail):\n${fleet.output()}`,
    );
  }
  expect(tally.brokenSamples).toEqual([]);
  expect(tally.counts.broken).toBe(0);
  // Each outage was seen by the clients (else the scenario tested nothing) and healed within the bound.
  expect(unavailableBy.redis).toBeGreaterThan(0);
  expect(unavailableBy.mongodb).toBeGreaterThan(0);
  expect(readyWhileDown).toEqual([]);
  expect(recoverySeconds.redis).toBeLessThan(RECOVERY_LIMIT_MS / 1000);
  expect(recoverySeconds.mongodb).toBeLessThan(RECOVERY_LIMIT_MS / 1000);
  expect(samePids).toEqual(pids);
  expect(accepted.length).toBeGreaterThan(0);
  expect(lost).toEqual([]);
  expect(notSucceeded).toEqual([]);
  expect(duplicated).toBe(0);
  // Each accepted create is in the sandbox (an attempt answered UNAVAILABLE may be there too).
  expect(ours.length).toBeGreaterThanOrEqual(accepted.length);
}
