import { ContactPageDocument } from '../generated/operations';
import { request } from '../support/gateway';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * The operation deadline (OPERATION_TIMEOUT_MS) as a client sees it: a read whose vendor is slower
 * than the deadline answers UNAVAILABLE naming the vendor call that was late, and the gateway really
 * hangs up on the vendor (the sandbox logs the call as aborted) instead of leaving it running.
 */

jest.setTimeout(60_000);

const DEADLINE_MS = 400;
const LATENCY_MS = 2000;
let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('deadline'),
    orgs: { salesforce: [{ id: 'default', seed: 3, counts: { Contact: 5, Opportunity: 2, Account: 2 } }] },
    env: { OPERATION_TIMEOUT_MS: String(DEADLINE_MS) },
  });
  t = await stack.tenant('deadline');
});
afterAll(async () => {
  // The sandbox still holds the aborted call's injected latency (a plain timer): let it run out.
  await new Promise((resolve) => setTimeout(resolve, LATENCY_MS + 500));
  await stack?.close();
});
afterEach(() => stack.setFaults('salesforce', null));

describe('operation deadline', () => {
  it('answers UNAVAILABLE naming the late vendor call, and aborts that call at the vendor', async () => {
    // Learned before the vendor turns slow: the connection's field metadata (once per connection), so
    // the late call is the read's own query.
    // On a loaded machine the cold read (metadata, then the query) can itself outlast the 400 ms
    // deadline; what it learned stays cached, so a few tries get one through within it.
    let warm = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.salesforce, first: 1 },
      { key: t.key },
    );
    for (let tries = 1; warm.body.errors && tries < 10; tries++) {
      warm = await request(
        stack.url,
        ContactPageDocument,
        { connectionId: t.connections.salesforce, first: 1 },
        { key: t.key },
      );
    }
    expect(warm.body.errors).toBeUndefined();
    await stack.setFaults('salesforce', { latencyMs: LATENCY_MS });
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections.salesforce, first: 5 },
      { key: t.key },
    );
    expect(res.body.errors).toHaveLength(1);
    const [error] = res.body.errors!;
    expect(error.extensions?.code).toBe('UNAVAILABLE');
    expect(error.message).toContain(`deadline (${DEADLINE_MS} ms, OPERATION_TIMEOUT_MS)`);
    expect(error.message).toMatch(
      /waiting for salesforce GET \/services\/data\/v[\d.]+\/query \(attempt 1\)/,
    );

    // The sandbox saw the gateway hang up on the call it was still holding back.
    const calls = await waitFor(
      () => stack.callEntries('salesforce'),
      (e) => e.length > 0,
    );
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ aborted: true, status: 0 });
  });
});

/** Polls `read` until `done` holds (bounded: 10 s). */
async function waitFor<T>(read: () => T, done: (value: T) => boolean): Promise<T> {
  const until = Date.now() + 10_000;
  let value = read();
  while (!done(value) && Date.now() < until) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    value = read();
  }
  return value;
}
