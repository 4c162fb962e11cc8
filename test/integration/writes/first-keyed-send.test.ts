import { engineTestContext } from '../../support/writes/engine-context';
import { groupOf, insertOperations } from '../../support/writes/operations';
import { toRecordWrite } from '../../../src/worker/writes/record-writes';

/**
 * A create claimed with the gateway key for the first time goes out marked `firstAttempt` (nothing of
 * it reached the CRM: the key is stored with the claim, before any send); once claimed again — after a
 * crash left it RUNNING and recovery queued it, or a reschedule — it is a resend and is not marked, so a
 * connector that looks the key up before writing does look. Real FerretDB; no vendor.
 */

const context = engineTestContext();

it('marks only the first keyed claim of a create as a first attempt', async () => {
  const connection = { id: 'conn-first-send', tenantId: 'tenant-f', crm: 'hubspot' };
  const [id] = await insertOperations(context(), connection, [
    { kind: 'CREATE', fields: { lastname: 'first' } },
  ]);
  const group = groupOf(connection.id, 'CREATE');
  const repo = context().store.writeBatches;

  const first = await repo.claim(group, 'flush-1', 10, new Date(), { gatewayKeyField: 'crm_external_id' });
  expect(first.claimed.map((o) => o.id)).toEqual([id]);
  expect(toRecordWrite(first.claimed[0]!)).toMatchObject({ firstAttempt: true });

  // The flush dies with the write RUNNING; it is queued again as recovery does.
  await context()
    .store.conn.collection('write_operations')
    .updateOne(
      { _id: id as never },
      { $set: { status: 'QUEUED', claimToken: null, runningSince: null, notBefore: new Date(0) } },
    );
  const again = await repo.claim(group, 'flush-2', 10, new Date(), { gatewayKeyField: 'crm_external_id' });
  expect(again.claimed.map((o) => o.id)).toEqual([id]);
  const resend = toRecordWrite(again.claimed[0]!);
  expect(resend).toMatchObject({ externalId: { field: 'crm_external_id', value: id } });
  expect(resend).not.toHaveProperty('firstAttempt');
  // As stored, too: a reader of the operation sees the same.
  const [stored] = await repo.findMany([id!]);
  expect(stored!.firstKeyedSend).toBe(false);
});
