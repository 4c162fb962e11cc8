import { createRedisClient } from '../../../src/redis/client';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { type Fleet } from '../support/fleet';
import { rel } from '../support/rel';
import { accept, contactItems, settled, sleep } from '../support/write-checks';

/**
 * Issue 23, scenario 1, on Salesforce with refresh-token rotation on (each refresh grant returns a new
 * refresh token and revokes the old, docs/vendors/salesforce.md "OAuth"):
 * - one refresh per token expiry across every process under concurrent reads through every gateway,
 *   counted at the sandbox's token endpoint;
 * - a worker `kill -9`ed in the middle of a refresh (the token endpoint is slowed so the kill lands
 *   while the grant is in flight). Without rotation (Salesforce's default) the connection recovers on
 *   its own and the write that needed the token succeeds. With rotation, the vendor issues the new
 *   refresh token and revokes the old one whether or not its answer reaches anyone: a grant that died
 *   on the wire cannot be recovered by any client (docs/vendors/salesforce.md "OAuth"), so what is
 *   checked is that the loss is visible and bounded — the connection ends NEEDS_REAUTH with its reason
 *   after one refused grant per process at most (no refresh storm), and the write waits QUEUED for a
 *   reconnect instead of being lost. What the gateway does receive it stores before using it.
 */
export interface TokenRefreshSize {
  /** Token expiries, each followed by one burst of reads. */
  expiries: number;
  /** Reads per burst, spread evenly over the gateways. */
  reads: number;
  /** Latency of every Salesforce request while a worker is killed mid-refresh. */
  slowMs: number;
}

export const TOKEN_REFRESH_FULL: TokenRefreshSize = { expiries: 5, reads: 200, slowMs: 3000 };
export const TOKEN_REFRESH_SMALL: TokenRefreshSize = { expiries: 2, reads: 200, slowMs: 2000 };

const CONTACTS = `query Contacts($c: ID!) { contacts(connectionId: $c, first: 2) { edges { node { id } } } }`;
const STATUS = `query Status($id: ID!) { connection(id: $id) { status statusReason } }`;
const TOKEN_ROUTE = /oauth2\/token/;

interface GraphqlError {
  extensions?: { retryable?: boolean; retryAfterMs?: number };
}

/**
 * One read as a client makes it: an error marked retryable (UNAVAILABLE while a store is slow, a
 * refresh another process holds) is retried after its retryAfterMs, at most 3 times.
 */
async function read(
  fleet: Fleet,
  c: string,
  gateway: number,
): Promise<{ errors?: unknown; retried: boolean }> {
  let retried = false;
  for (let attempt = 1; ; attempt++) {
    let body: Awaited<ReturnType<Fleet['exec']>>;
    try {
      body = await fleet.exec(CONTACTS, { c }, gateway);
    } catch (err) {
      // A connection reset on a live gateway (a kept-alive socket closed as the request went out, which
      // fetch does not retry for a POST): a client sends it again. A dead gateway fails the read.
      if (attempt === 3 || !fleet.gateways[gateway]!.running) throw err;
      retried = true;
      await sleep(200);
      continue;
    }
    const errors = body.errors as GraphqlError[] | undefined;
    const retryable = errors?.every((e) => e.extensions?.retryable === true);
    if (!errors || !retryable || attempt === 3) return { errors, retried };
    retried = true;
    await sleep(Math.max(...errors.map((e) => e.extensions?.retryAfterMs ?? 1000)));
  }
}

/** Reads through every gateway at once: how many failed for good, how many were retried. */
async function burst(
  fleet: Fleet,
  c: string,
  reads: number,
): Promise<{ failed: number; retried: number; first?: string }> {
  const results = await Promise.all(
    Array.from({ length: reads }, (_, i) => read(fleet, c, i % fleet.gateways.length)),
  );
  const failed = results.filter((r) => r.errors !== undefined);
  return {
    failed: failed.length,
    retried: results.filter((r) => r.retried).length,
    first: failed[0] ? JSON.stringify(failed[0].errors).slice(0, 400) : undefined,
  };
}

export async function oneRefreshPerExpiry(fleet: Fleet, size: TokenRefreshSize): Promise<void> {
  const c = fleet.tenant.connections.salesforce;
  await fleet.stack.unthrottle('salesforce', c);
  fleet.stack.sandboxes.sandboxes.salesforce!.server.patchSettings('default', { rotateRefreshTokens: true });
  const log = fleet.sandboxLog('salesforce');
  // Every gateway has a token before the first expiry (a cold start is not an expiry).
  expect((await burst(fleet, c, fleet.gateways.length)).failed).toBe(0);
  const perExpiry: number[] = [];
  let failed = 0;
  let retried = 0;
  let firstError: string | undefined;
  for (let e = 0; e < size.expiries; e++) {
    await fleet.sandboxAdmin('salesforce', 'POST', '/tokens/expire');
    const before = log.count((k) => TOKEN_ROUTE.test(k));
    const result = await burst(fleet, c, size.reads);
    failed += result.failed;
    retried += result.retried;
    firstError ??= result.first;
    perExpiry.push(log.count((k) => TOKEN_ROUTE.test(k)) - before);
  }
  rel('refresh.expiries', size.expiries, 'expiries');
  rel('refresh.reads_per_expiry', size.reads, 'reads');
  rel('refresh.calls_per_expiry', Math.max(...perExpiry), 'calls');
  rel('refresh.failed_reads', failed, 'reads');
  rel('refresh.retried_reads', retried, 'reads');
  expect({ failed, firstError }).toEqual({ failed: 0, firstError: undefined });
  expect(perExpiry).toEqual(perExpiry.map(() => 1));
}

export async function refreshKilledMidGrant(
  fleet: Fleet,
  size: TokenRefreshSize,
  rotate: boolean,
): Promise<void> {
  const c = fleet.tenant.connections.salesforce;
  await fleet.stack.unthrottle('salesforce', c);
  fleet.stack.sandboxes.sandboxes.salesforce!.server.patchSettings('default', {
    rotateRefreshTokens: rotate,
  });
  const log = fleet.sandboxLog('salesforce');
  const redis = createRedisClient(fleet.redis.url, { maxRetriesPerRequest: 1 });
  try {
    // A write makes a worker call Salesforce with an expired token, so that worker refreshes; the lock
    // it takes first (src/connectors/tokens/refresh-lock.ts) says the grant is under way.
    await fleet.sandboxAdmin('salesforce', 'POST', '/tokens/expire');
    await fleet.sandboxAdmin('salesforce', 'PATCH', '/faults', { latencyMs: size.slowMs });
    const tokenCalls = log.count((k) => TOKEN_ROUTE.test(k));
    const lockKey = `${fleet.name}:lock:token-refresh:${c}`;
    const tag = `t${Date.now().toString(36)}`;
    const accepted = await accept(fleet.client(0), c, contactItems(tag, 0, 1));
    for (const deadline = Date.now() + 60_000; (await redis.exists(lockKey)) === 0;) {
      if (Date.now() > deadline) throw new Error(`no refresh started within 60 s:\n${fleet.output()}`);
      await sleep(20);
    }
    // The grant is waiting out the sandbox's latency: the refresher dies with it in flight. Which
    // worker holds the lock is not recorded, so every worker dies.
    await sleep(size.slowMs / 3);
    await Promise.all(fleet.workers.map((w) => w.kill9()));
    const grantInFlight = log.count((k) => TOKEN_ROUTE.test(k)) === tokenCalls;
    await fleet.sandboxAdmin('salesforce', 'DELETE', '/faults');
    await Promise.all(fleet.workers.map((w) => w.restart()));
    // Reads through every gateway until they are answered: the dead worker's refresh lock expires
    // first (its TTL); until then reads are refused as retryable. NEEDS_REAUTH ends the wait.
    const recovering = Date.now();
    let reads: Awaited<ReturnType<typeof burst>> = { failed: 1, retried: 0 };
    let status = { status: 'ACTIVE', statusReason: null as string | null };
    for (const deadline = Date.now() + 90_000; Date.now() < deadline; await sleep(1000)) {
      reads = await burst(fleet, c, fleet.gateways.length);
      status = ((await fleet.exec(STATUS, { id: c })).data as { connection: typeof status }).connection;
      if (reads.failed === 0 || status.status === 'NEEDS_REAUTH') break;
    }
    const mode = rotate ? 'rotating' : 'kept';
    const refusedGrants = log.count((k) => TOKEN_ROUTE.test(k)) - tokenCalls - 1;
    rel(`refresh.kill9_${mode}.grant_in_flight`, grantInFlight ? 1 : 0, 'bool');
    rel(`refresh.kill9_${mode}.recovery_s`, Number(((Date.now() - recovering) / 1000).toFixed(1)), 's');
    rel(`refresh.kill9_${mode}.needs_reauth`, status.status === 'NEEDS_REAUTH' ? 1 : 0, 'bool');
    rel(`refresh.kill9_${mode}.token_calls_after`, refusedGrants, 'calls');
    // The kill must have landed mid-grant, or this run proved nothing.
    expect(grantInFlight).toBe(true);
    if (!rotate) {
      expect({ status, failedReads: reads.failed, error: reads.first }).toEqual({
        status: { status: 'ACTIVE', statusReason: null },
        failedReads: 0,
        error: undefined,
      });
      const ops = await settled(fleet.client(1), c, 120_000);
      expect(ops.find((o) => o.id === accepted[0])?.status).toBe('SUCCEEDED');
      return;
    }
    expect(status.status).toBe('NEEDS_REAUTH');
    expect(status.statusReason).toEqual(expect.any(String));
    // One refused grant per process that tried, not a storm of them.
    expect(refusedGrants).toBeLessThanOrEqual(fleet.gateways.length + fleet.workers.length);
    // The killed worker had claimed it (RUNNING); the reconciler hands it back within its recovery bound
    // (docs/writes.md "Recovery bounds"), and it then waits QUEUED for the connection.
    let op = 'RUNNING';
    for (const deadline = Date.now() + 60_000; op === 'RUNNING' && Date.now() < deadline; await sleep(1000)) {
      const body = await fleet.exec(
        `query Op($id: ID!) { writeOperation(id: $id) { status } }`,
        { id: accepted[0] },
        1,
      );
      op = (body.data as { writeOperation: { status: string } }).writeOperation.status;
    }
    expect(op).toBe('QUEUED');
  } finally {
    disconnectRedis(redis);
  }
}
