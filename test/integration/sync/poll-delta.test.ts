import { createLogger } from '../../../src/logger';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { ingestOf } from '../../../src/sync/ingest';
import { type PollDeps, pollObject } from '../../../src/sync/poll/poll-object';
import { syncJobDeps } from '../../../src/worker/sync/sync-deps';
import { type ReadStack, type ReadTenant, smallOrgs, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { eventsByRecord, sandboxAdmin } from '../../support/sync-records';

/**
 * Polling a change feed kept by vendor position (Dataverse change tracking, against the Dynamics
 * sandbox): the first poll takes a delta token, each poll follows the token the last one ended at —
 * deletions included — and an expired token is a full reconcile with a fresh token, never a gap.
 */

jest.setTimeout(60_000);

let stack: ReadStack;
let tenant: ReadTenant;
let dynamics: ConnectionView;
const logger = createLogger({ level: 'silent' });

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('polldelta'),
    orgs: smallOrgs(['default'], 41),
  });
  tenant = await stack.tenant('polldelta');
  dynamics = await stack.ctx.store.connections.getById(tenant.connections.dynamics);
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

function poller(): PollDeps {
  return syncJobDeps({ ...stack.ctx, logger }, ingestOf({ ...stack.ctx, logger })).poll;
}

const admin = (method: string, path: string, body?: unknown) =>
  sandboxAdmin(stack, 'dynamics', method, path, body);
const position = async (): Promise<string | null> =>
  (await stack.ctx.store.syncStates.getPoll(dynamics.id, 'contact'))?.feedPosition ?? null;
/** The Dataverse sandbox org's rows, read from its own store (never through our code). */
const sandboxOrg = () => {
  const org = stack.sandboxes.sandboxes.dynamics!.server.org('default');
  return {
    clock: org.clock,
    ids: (entity: 'contact' | 'opportunity') => [
      ...(org.state as { store: { table(e: string): Map<string, unknown> } }).store.table(entity).keys(),
    ],
  };
};

it('takes a delta token first, then reports what changed after it — updates and deletions — once', async () => {
  const deps = poller();
  expect(await pollObject(deps, dynamics, 'contact')).toMatchObject({ result: 'started' });
  const first = await position();
  expect(first).toEqual(expect.any(String));
  // A position names tokens only: no URL a stored state could aim anywhere.
  expect(Buffer.from(first!, 'base64url').toString()).not.toMatch(/http|api\/data/);

  const [changed, gone] = sandboxOrg().ids('contact');
  await admin('PATCH', `/records/contacts/${changed}`, { jobtitle: 'Polled by token' });
  await admin('DELETE', `/records/contacts/${gone}`);
  const done = await pollObject(deps, dynamics, 'contact');
  expect(done).toMatchObject({ result: 'done', changes: 2 });
  const second = await position();
  expect(second).not.toBe(first);

  const events = await eventsByRecord(stack, dynamics, 'contact');
  expect(events.get(gone!)).toEqual([['DELETED', 'POLL']]);
  // Nothing changed since the second token: the next poll reads no change and records nothing.
  expect(await pollObject(deps, dynamics, 'contact')).toMatchObject({ result: 'done', changes: 0 });
  expect(await eventsByRecord(stack, dynamics, 'contact')).toEqual(events);
});

it('answers an expired token with a full reconcile and a fresh token, and polls on from it', async () => {
  const deps = poller();
  await pollObject(deps, dynamics, 'deal');
  const old = (await stack.ctx.store.syncStates.getPoll(dynamics.id, 'deal'))!.feedPosition;
  const org = sandboxOrg();
  org.clock.advance(8 * 86_400_000);
  try {
    const before = Date.now();
    expect(await pollObject(deps, dynamics, 'deal')).toMatchObject({ result: 'reconcile', pages: 0 });
    expect((await deps.requests.latest(dynamics.id, 'deal'))!.getTime()).toBeGreaterThanOrEqual(before);
    const fresh = (await stack.ctx.store.syncStates.getPoll(dynamics.id, 'deal'))!.feedPosition;
    expect(fresh).toEqual(expect.any(String));
    expect(fresh).not.toBe(old);
    const [deal] = org.ids('opportunity');
    await admin('PATCH', `/records/opportunities/${deal}`, { name: 'After the reconcile' });
    expect(await pollObject(deps, dynamics, 'deal')).toMatchObject({ result: 'done', changes: 1 });
  } finally {
    org.clock.setOffset(0);
  }
});
