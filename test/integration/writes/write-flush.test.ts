import { createRedisClient } from '../../../src/redis/client';
import { writeOperationEventsRoutingKey } from '../../../src/events/write-operation-events';
import { metricsRegistry } from '../../../src/metrics';
import { QUEUES } from '../../../src/queue/queues';
import { requestWriteFlush, WRITE_FLUSH_JOB } from '../../../src/queue/writes.producer';
import { FINAL_WRITE_STATUSES, type WriteOperation } from '../../../src/writes/write-operation.types';
import { type ReadStack, type ReadTenant } from '../../support/read-stack';
import { startWriteStack, type WriteStack } from '../../support/writes/write-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { groupOf, insertOperations, type OperationSpec } from '../../support/writes/operations';

jest.setTimeout(60_000);

/**
 * The write engine end to end below the API: operations stored as the accept path stores them, a
 * flush requested as it requests one, and a real worker (Bull on the test Redis, the store on FerretDB)
 * sending them to the sandboxes over sockets. Vendor calls are counted from the sandboxes' request logs.
 */

let stack: ReadStack;
let tenant: ReadTenant;

let writes: WriteStack;
beforeAll(async () => {
  writes = await startWriteStack('wflush', 5, 'writes');
  ({ stack, tenant } = writes);
});

afterAll(async () => {
  await writes?.close();
});

async function connectionOf(crm: 'hubspot' | 'salesforce', t: ReadTenant = tenant) {
  const c = await stack.ctx.store.connections.getById(t.connections[crm]);
  return { id: c.id, tenantId: c.tenantId, crm: c.crm };
}

/** Stores the operations and requests their groups' flushes, as the accept path does. */
async function accept(crm: 'hubspot' | 'salesforce', specs: OperationSpec[], t?: ReadTenant) {
  const connection = await connectionOf(crm, t);
  const ids = await insertOperations(stack.ctx, connection, specs);
  const queue = stack.ctx.queues.get(QUEUES.writes);
  const groups = new Map(specs.map((s) => [`${s.object ?? 'contact'}:${s.kind === 'DELETE'}`, s]));
  for (const s of groups.values()) {
    await requestWriteFlush(queue, groupOf(connection.id, s.kind, s.object), 'accepted');
  }
  return { connection, ids };
}

async function settled(ids: string[], ms = 30_000): Promise<WriteOperation[]> {
  let ops: WriteOperation[] = [];
  await within(ms, async () => {
    ops = await stack.ctx.store.writeBatches.findMany(ids);
    expect(ops.filter((o) => FINAL_WRITE_STATUSES.has(o.status))).toHaveLength(ids.length);
    // Final in the store first; the flush then writes snapshots and change events, then publishes.
    const active = await stack.ctx.queues.get(QUEUES.writes).getActive();
    expect(active.filter((j) => j.name === WRITE_FLUSH_JOB)).toHaveLength(0);
  });
  const byId = new Map(ops.map((o) => [o.id, o]));
  return ids.map((id) => byId.get(id)!);
}

const WRITE_CALLS = /batch\/(upsert|create|update|archive)|composite\/sobjects/;

it('100 creates with one bad email: 99 SUCCEEDED and 1 FAILED VALIDATION, in one vendor call', async () => {
  stack.clearLogs();
  const run = uniqueName('bulk');
  const specs: OperationSpec[] = Array.from({ length: 100 }, (_, i) => ({
    kind: 'CREATE',
    fields: {
      firstname: `F${i}`,
      lastname: run,
      email: i === 37 ? 'not-an-email' : `${run}.${i}@example.com`,
    },
  }));
  const { ids } = await accept('hubspot', specs);
  const ops = await settled(ids);

  expect(stack.calls('hubspot', WRITE_CALLS)).toBe(1);
  const bad = ops[37]!;
  expect(bad.status).toBe('FAILED');
  expect(bad.failure).toMatchObject({ code: 'VALIDATION', retryable: false });
  expect(bad.failure!.fieldErrors.length).toBeGreaterThan(0);
  const good = ops.filter((_, i) => i !== 37);
  expect(good.every((o) => o.status === 'SUCCEEDED' && o.remoteId && o.attempts === 0)).toBe(true);
  // Sent as upserts on the gateway key: the record carries its operation id in the key property.
  expect(good[0]!.gatewayKeyField).toBe('crm_external_id');
  expect(good[0]!.result).toMatchObject({ created: true });
  expect(good[0]!.result!.record).toMatchObject({
    fields: { email: `${run}.0@example.com` },
    customFields: { crm_external_id: good[0]!.id },
  });

  // Snapshot and change event of a created record.
  const snap = await stack.ctx.store.recordSnapshots.findMany(good[0]!.connectionId, 'contact', [
    good[0]!.remoteId!,
  ]);
  expect(snap.get(good[0]!.remoteId!)?.fields).toEqual(
    expect.arrayContaining([{ field: 'email', value: `${run}.0@example.com` }]),
  );
  const history = await stack.ctx.store.changeEvents.forRecord(
    good[0]!.connectionId,
    'contact',
    good[0]!.remoteId!,
  );
  expect(history).toHaveLength(1);
  expect(history[0]).toMatchObject({ kind: 'CREATED', source: 'MUTATION', writeOperationId: good[0]!.id });
  expect(history[0]!.changes).toEqual(
    expect.arrayContaining([{ field: 'email', before: null, after: `${run}.0@example.com` }]),
  );
});

it('250 creates of one group: each written once, in calls of at most writeBatch (100)', async () => {
  stack.clearLogs();
  const run = uniqueName('many');
  const specs: OperationSpec[] = Array.from({ length: 250 }, (_, i) => ({
    kind: 'CREATE',
    fields: { firstname: `F${i}`, lastname: run, email: `${run}.${i}@example.com` },
  }));
  const { ids } = await accept('hubspot', specs);
  const ops = await settled(ids);
  expect(ops.every((o) => o.status === 'SUCCEEDED' && o.remoteId)).toBe(true);
  expect(new Set(ops.map((o) => o.remoteId)).size).toBe(250);
  expect(stack.calls('hubspot', WRITE_CALLS)).toBe(3);
});

it('create → update → delete of one record, accepted in quick succession, apply in that order', async () => {
  stack.clearLogs();
  const run = uniqueName('seq');
  const createId = `wop_${run}`;
  const { ids } = await accept('salesforce', [
    { id: createId, kind: 'CREATE', fields: { LastName: run, FirstName: 'First' } },
    { kind: 'UPDATE', after: createId, fields: { FirstName: 'Second' } },
    { kind: 'DELETE', after: createId },
  ]);
  const [created, updated, deleted] = await settled(ids);
  expect([created!.status, updated!.status, deleted!.status]).toEqual([
    'SUCCEEDED',
    'SUCCEEDED',
    'SUCCEEDED',
  ]);
  const remoteId = created!.remoteId!;
  expect(updated!.remoteId).toBe(remoteId);
  expect(deleted!.remoteId).toBe(remoteId);

  const history = await stack.ctx.store.changeEvents.forRecord(created!.connectionId, 'contact', remoteId);
  expect(history.map((e) => [e.kind, e.writeOperationId])).toEqual([
    ['CREATED', created!.id],
    ['UPDATED', updated!.id],
    ['DELETED', deleted!.id],
  ]);
  expect(history[1]!.changes).toEqual(
    expect.arrayContaining([{ field: 'firstName', before: 'First', after: 'Second' }]),
  );
  // The vendor saw them in order: the upsert, the update, then the delete.
  const writes = stack.callEntries('salesforce').filter((e) => WRITE_CALLS.test(e.route));
  expect(writes.map((e) => e.method)).toEqual(['PATCH', 'PATCH', 'DELETE']);
  const snap = await stack.ctx.store.recordSnapshots.findMany(created!.connectionId, 'contact', [remoteId]);
  expect(snap.get(remoteId)?.isDeleted).toBe(true);
});

it('a 429 storm: every write SUCCEEDED, none DEAD, no attempt counted', async () => {
  const run = uniqueName('storm');
  await stack.setFaults('hubspot', { rateLimitStormMs: 1500 });
  try {
    const specs: OperationSpec[] = Array.from({ length: 20 }, (_, i) => ({
      kind: 'CREATE',
      fields: { lastname: run, email: `${run}.${i}@example.com` },
    }));
    const { ids } = await accept('hubspot', specs);
    const ops = await settled(ids, 45_000);
    expect(ops.map((o) => o.status)).toEqual(ops.map(() => 'SUCCEEDED'));
    expect(ops.map((o) => o.attempts)).toEqual(ops.map(() => 0));
  } finally {
    await stack.setFaults('hubspot', null);
  }
  // The storm reached the vendor or our gate held the calls back: either way the writes were rescheduled.
  expect(stack.calls('hubspot', WRITE_CALLS)).toBeGreaterThan(0);
});

/** A counter of the (in-process) worker's registry, summed over the label values given. */
async function counter(name: string, labels: Record<string, string>): Promise<number> {
  const metric = metricsRegistry.getSingleMetric(name);
  const { values } = await metric!.get();
  return values
    .filter((v) => Object.entries(labels).every(([k, want]) => v.labels[k] === want))
    .reduce((sum, v) => sum + v.value, 0);
}

it('a budget of a few calls per window: a one-record-per-call vendor gets what fits, the rest waits QUEUED', async () => {
  // Pipedrive's burst at 10 calls per 2 s, told by the sandbox and set on the connection alike: 8 for
  // background work. 24 creates take three windows; claimed by the budget, none is put back.
  const other = await stack.tenant('budgeted');
  const sandbox = stack.sandboxes.sandboxes.pipedrive!.server;
  sandbox.patchSettings('default', { burstLimit: 10 });
  const connection = await stack.ctx.store.connections.getById(other.connections.pipedrive);
  await stack.ctx.store.connections.update(connection.id, {
    settings: { ...connection.settings, budgets: { burst: { limit: 10, windowMs: 2000 } } },
  });
  const rescheduled = await counter('cgw_write_reschedules_total', { crm: 'pipedrive' });
  const waits = await counter('cgw_write_budget_waits_total', { crm: 'pipedrive' });
  stack.clearLogs();
  const run = uniqueName('pdbudget');
  try {
    const ids = await insertOperations(
      stack.ctx,
      { id: connection.id, tenantId: connection.tenantId, crm: 'pipedrive' },
      Array.from({ length: 24 }, (_, i) => ({ kind: 'CREATE' as const, fields: { name: `${run} ${i}` } })),
    );
    await requestWriteFlush(
      stack.ctx.queues.get(QUEUES.writes),
      groupOf(connection.id, 'CREATE'),
      'accepted',
    );
    const ops = await settled(ids, 45_000);
    expect(ops.map((o) => o.status)).toEqual(ops.map(() => 'SUCCEEDED'));
  } finally {
    sandbox.patchSettings('default', { burstLimit: null });
  }
  // Each record made once; none refused by the vendor.
  const byName = stack.recordsBy('pipedrive', 'contact', 'name');
  expect(Array.from({ length: 24 }, (_, i) => byName.get(`${run} ${i}`) ?? 0)).toEqual(Array(24).fill(1));
  expect(stack.callEntries('pipedrive').filter((e) => e.status === 429)).toHaveLength(0);
  // The flushes' read-back calls spend the burst too, after the claim was sized: one of three flushes
  // may find its last call refused. Sized by nothing but the batch (1,000), this run put back 27.
  const putBack = (await counter('cgw_write_reschedules_total', { crm: 'pipedrive' })) - rescheduled;
  expect(putBack).toBeLessThanOrEqual(3);
  // The flushes that found no call admitted waited for one instead.
  expect(await counter('cgw_write_budget_waits_total', { crm: 'pipedrive' })).toBeGreaterThan(waits);
});

/** Salesforce write calls the sandbox logged whose response it dropped after applying them. */
function lostWrites(): number {
  return stack
    .callEntries('salesforce')
    .filter((e) => WRITE_CALLS.test(e.route) && e.fault === 'lostResponse').length;
}

it('a lost response to creates sent on the gateway key: they are resent, and each record is made once', async () => {
  stack.clearLogs();
  const run = uniqueName('lost');
  let ids: string[];
  await stack.setFaults('salesforce', { lostResponseRate: 1 });
  try {
    const specs: OperationSpec[] = Array.from({ length: 10 }, (_, i) => ({
      kind: 'CREATE',
      fields: { LastName: run, FirstName: `F${i}` },
    }));
    ({ ids } = await accept('salesforce', specs));
    // The first write call is applied and its answer dropped; the resend is answered.
    await within(30_000, async () => expect(lostWrites()).toBeGreaterThan(0));
  } finally {
    await stack.setFaults('salesforce', null);
  }
  const ops = await settled(ids!, 45_000);
  expect(ops.map((o) => o.status)).toEqual(ops.map(() => 'SUCCEEDED'));
  // The unknown outcome was an attempt (retried after a backoff), not a failure.
  expect(ops.every((o) => o.attempts >= 1)).toBe(true);
  // One record per operation, counted by the gateway key the upsert set to the operation id.
  const byKey = stack.recordsBy('salesforce', 'contact', 'External_Id__c');
  expect(ops.map((o) => byKey.get(o.id) ?? 0)).toEqual(ops.map(() => 1));
  expect(stack.recordsBy('salesforce', 'contact', 'LastName').get(run)).toBe(10);
});

it('a lost response to a create without a gateway key: FAILED OUTCOME_UNKNOWN, never resent', async () => {
  const other = await stack.tenant('nokey');
  stack.clearLogs();
  const run = uniqueName('lostnokey');
  await stack.setFaults('salesforce', { lostResponseRate: 1 });
  try {
    const { ids } = await accept('salesforce', [{ kind: 'CREATE', fields: { LastName: run } }], other);
    const [op] = await settled(ids, 45_000);
    expect(op).toMatchObject({
      status: 'FAILED',
      attempts: 0,
      failure: { code: 'OUTCOME_UNKNOWN', retryable: false },
    });
  } finally {
    await stack.setFaults('salesforce', null);
  }
  // Sent once, applied once: the dropped answer left one record, and nothing sent it again.
  const writes = stack.callEntries('salesforce').filter((e) => WRITE_CALLS.test(e.route));
  expect(writes.map((e) => e.fault)).toEqual(['lostResponse']);
  expect(stack.recordsBy('salesforce', 'contact', 'LastName').get(run)).toBe(1);
});

it('writes of a NEEDS_REAUTH connection stay QUEUED (and run once it is connected again)', async () => {
  const other = await stack.tenant('reauth');
  const id = other.connections.hubspot;
  await stack.ctx.store.connections.setStatus(id, 'NEEDS_REAUTH', 'test: refresh token revoked');
  const run = uniqueName('reauth');
  const { ids } = await accept(
    'hubspot',
    [{ kind: 'CREATE', fields: { lastname: run, email: `${run}@example.com` } }],
    other,
  );
  // The flush ran (the group's job is gone from the queue) and left the write as it was.
  const queue = stack.ctx.queues.get(QUEUES.writes);
  await within(10_000, async () => {
    const counts = await queue.getJobCounts();
    expect(counts.waiting + counts.delayed + counts.active).toBe(1); // the reconciler's repeatable job only
  });
  const [op] = await stack.ctx.store.writeBatches.findMany(ids);
  expect(op).toMatchObject({ status: 'QUEUED', attempts: 0 });

  await stack.ctx.store.connections.setStatus(id, 'ACTIVE');
  await requestWriteFlush(queue, groupOf(id, 'CREATE'), 'reconciler');
  const [done] = await settled(ids);
  expect(done!.status).toBe('SUCCEEDED');
});

it("publishes each operation's RUNNING, then its SUCCEEDED", async () => {
  const sub = createRedisClient(testStoreUrls().redisUrl);
  try {
    const channel = `${writeOperationEventsRoutingKey(stack.ctx.redisPrefix)}:${tenant.tenantId}`;
    await sub.subscribe(channel);
    const seen: { operationId: string; status: string }[] = [];
    sub.on('message', (_channel, message) => {
      const e = JSON.parse(message) as { operationId: string; status: string };
      seen.push({ operationId: e.operationId, status: e.status });
    });
    const run = uniqueName('events');
    const { ids } = await accept('hubspot', [
      { kind: 'CREATE', fields: { lastname: run, email: `${run}@example.com` } },
    ]);
    await settled(ids);
    await within(5000, async () => {
      expect(seen.filter((e) => e.operationId === ids[0]).map((e) => e.status)).toEqual([
        'RUNNING',
        'SUCCEEDED',
      ]);
    });
  } finally {
    sub.disconnect();
  }
});
