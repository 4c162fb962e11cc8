import { type RunningWorker, startWorker } from '../../../src/worker/worker';
import { type ReadStack, type ReadTenant, startReadStack } from '../read-stack';
import { testStoreUrls, uniqueName } from '../stores';

/** The gateway keys of the sandboxes' write-test connections: creates are sent as upserts on them. */
export const WRITE_TEST_GATEWAY_KEYS = {
  hubspot: { gatewayKeyField: { contact: 'crm_external_id', deal: 'deal_external_id' } },
  salesforce: { gatewayKeyField: 'External_Id__c' },
  // An alternate key on both tables (the sandbox's `cr8f3_*_externalid_key`).
  dynamics: { gatewayKeyField: 'cr8f3_externalid' },
} as const;

export interface WriteStack {
  stack: ReadStack;
  tenant: ReadTenant;
  /** An in-process worker (Bull on the test Redis, the store on FerretDB) flushing to the sandboxes. */
  worker: RunningWorker;
  close(): Promise<void>;
}

/**
 * The sandboxes (small orgs seeded with `seed`), a gateway, a tenant connected to every CRM with their
 * gateway keys set, and a worker: what the write tests below the API and through it share.
 */
export async function startWriteStack(name: string, seed: number, tenantName: string): Promise<WriteStack> {
  const stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName(name),
    orgs: {
      salesforce: [{ id: 'default', seed, counts: { Contact: 3, Opportunity: 1, Account: 1 } }],
      hubspot: [{ id: 'default', seed, counts: { contacts: 3, deals: 1 } }],
      dynamics: [{ id: 'default', seed, counts: { contact: 3, opportunity: 1, account: 1 } }],
    },
  });
  try {
    const tenant = await stack.tenant(tenantName);
    for (const crm of ['hubspot', 'salesforce', 'dynamics'] as const) {
      const id = tenant.connections[crm];
      const c = await stack.ctx.store.connections.getById(id);
      await stack.ctx.store.connections.update(id, {
        settings: { ...c.settings, ...WRITE_TEST_GATEWAY_KEYS[crm] },
      });
    }
    const worker = await startWorker(stack.ctx);
    return {
      stack,
      tenant,
      worker,
      async close() {
        await worker.close();
        await stack.close();
      },
    };
  } catch (err) {
    await stack.close();
    throw err;
  }
}
