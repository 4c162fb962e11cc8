import { startWorker, type RunningWorker } from '../../../src/worker/worker';
import { FINAL_WRITE_STATUSES, type WriteOperation } from '../../../src/writes/write-operation.types';
import { type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';

jest.setTimeout(90_000);

/**
 * What the accept side stores, run by the real engine: a worker on the test Redis and store, the
 * sandbox over a socket. A create, an update naming the pending create by its `wop_…` id, and an
 * upsert by an external id all SUCCEED, in order.
 */

let stack: ReadStack;
let tenant: ReadTenant;
let worker: RunningWorker;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('acceng'),
    orgs: { hubspot: [{ id: 'default', seed: 9, counts: { contacts: 2, deals: 1 } }] },
  });
  tenant = await stack.tenant('accept-engine');
  const id = tenant.connections.hubspot;
  await stack.ctx.store.fieldMappings.replace(tenant.tenantId, id, 'contact', [
    {
      canonical: 'customFields.extId',
      native: 'crm_external_id',
      transform: { kind: 'string' },
      source: 'APP',
      writable: true,
    },
  ]);
  worker = await startWorker(stack.ctx);
});

afterAll(async () => {
  await worker?.close();
  await stack?.close();
});

async function settled(ids: string[]): Promise<WriteOperation[]> {
  let ops: (WriteOperation | null)[] = [];
  await within(30_000, async () => {
    ops = await stack.ctx.writes.getMany(tenant.tenantId, ids);
    expect(ops.filter((o) => o && FINAL_WRITE_STATUSES.has(o.status))).toHaveLength(ids.length);
  });
  return ops as WriteOperation[];
}

it('create, then update by the pending create’s wop_ id, then upsert by external id: all SUCCEEDED, in order', async () => {
  const connectionId = tenant.connections.hubspot;
  const run = uniqueName('eng');
  const [create] = await stack.ctx.writes.accept({
    tenantId: tenant.tenantId,
    idempotencyKey: null,
    items: [
      {
        kind: 'CREATE',
        object: 'contact',
        connectionId,
        input: { fields: { lastName: run, email: `${run}@example.com` }, customFields: {} },
      },
    ],
  });
  const [update, upsert] = await stack.ctx.writes.accept({
    tenantId: tenant.tenantId,
    idempotencyKey: `${run}-2`,
    items: [
      {
        kind: 'UPDATE',
        object: 'contact',
        id: create!.id,
        input: { fields: { firstName: 'Later' }, customFields: {} },
      },
      {
        kind: 'UPSERT',
        object: 'contact',
        connectionId,
        externalId: { field: 'customFields.extId', value: `X-${run}` },
        input: { fields: { lastName: `${run}-up` }, customFields: {} },
      },
    ],
  });
  expect(update!.dependsOn).toEqual([create!.id]);
  const [c, u, s] = await settled([create!.id, update!.id, upsert!.id]);
  expect([c!.status, u!.status, s!.status]).toEqual(['SUCCEEDED', 'SUCCEEDED', 'SUCCEEDED']);
  expect(u!.remoteId).toBe(c!.remoteId);
  expect(u!.result?.record).toMatchObject({ fields: { firstName: 'Later', lastName: run } });
  expect(s!.result?.record).toMatchObject({
    fields: { lastName: `${run}-up` },
    customFields: { extId: `X-${run}` },
  });
});
