import { type ReadStack, type ReadTenant, smallOrgs, startReadStack } from '../../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../../support/stores';
import { rowsOf } from '../../../e2e/support/sandbox-rows';

/**
 * Dataverse's 52 concurrent requests per user, kept by the fleet instead of met as 429s: the connector's
 * calls take Redis-counted slots (`ratelimit/concurrency-gate.ts`) through the framework's context, as
 * the gateway and workers build it. The sandbox answers every call late, so 80 calls at once overlap.
 */

jest.setTimeout(60_000);

let stack: ReadStack;
let tenant: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('dynconc'),
    orgs: smallOrgs(['default'], 23),
  });
  tenant = await stack.tenant('dynconc');
}, 120_000);
afterAll(async () => {
  await stack?.close();
});

it('keeps 80 simultaneous reads of one connection under the concurrency limit: no 429, every read answered', async () => {
  const connection = await stack.ctx.store.connections.getById(tenant.connections.dynamics);
  const [id] = rowsOf(stack, 'dynamics', 'contact').map((r) => r.remoteId);
  await stack.setFaults('dynamics', { latencyMs: 300 });
  stack.clearLogs();
  try {
    const reads = await Promise.all(
      Array.from({ length: 80 }, () =>
        stack.ctx.crm.connectorFor(connection, 'interactive').getRecords('contact', [id!]),
      ),
    );
    expect(reads.every(([r]) => r?.remoteId === id)).toBe(true);
    const org = stack.sandboxes.sandboxes.dynamics!.server.org('default');
    expect(org.log.countStatus(429)).toBe(0);
    expect(stack.calls('dynamics')).toBe(80);
  } finally {
    await stack.setFaults('dynamics', null);
  }
});
