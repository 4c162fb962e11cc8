import Redis from 'ioredis';
import { QUEUES } from '../../src/queue/queues';
import { requestWriteFlush } from '../../src/queue/writes.producer';
import { type ZohoOrg } from '../../src/sandbox/zoho';
import { liveIds, recordOf } from '../../src/sandbox/zoho/admin';
import { FlushLock } from '../../src/writes/flush-lock';
import { createWriteOperationEventPublisher } from '../../src/events/write-operation-events';
import { type RunningWorker, startWorker } from '../../src/worker/worker';
import { BulkPolls, WRITE_BULK_POLL_JOB } from '../../src/worker/writes/bulk-jobs';
import { runWriteReconciler } from '../../src/worker/writes/write-reconciler.processor';
import { createLogger } from '../../src/logger';
import { FINAL_WRITE_STATUSES, type WriteOperation } from '../../src/writes/write-operation.types';
import { type ReadStack, type ReadTenant, startReadStack } from '../support/read-stack';
import { testStoreUrls, uniqueName } from '../support/stores';
import { within } from '../support/within';
import { groupOf, insertOperations, type OperationSpec } from '../support/writes/operations';

jest.setTimeout(240_000);

/**
 * Vendor bulk jobs in the write engine (docs/writes.md "Bulk jobs"), on Zoho Bulk Write: a burst of
 * keyed upserts above the declared threshold goes as one job submitted by a flush and finalized by a
 * delayed poll — per-record failures on their own operations — and a poll lost with its worker is
 * re-created by the reconciler, the job collected once, nothing applied twice.
 */

const N = 6000;
const BAD = 3000;

let stack: ReadStack;
let tenant: ReadTenant;
let redis: Redis;
let worker: RunningWorker | null = null;

beforeAll(async () => {
  stack = await startReadStack({ ...testStoreUrls(), name: uniqueName('wbulk') });
  tenant = await stack.tenant('bulk');
  redis = new Redis(testStoreUrls().redisUrl);
});

afterAll(async () => {
  await worker?.close();
  redis?.disconnect();
  await stack?.close();
});

const org = (): ZohoOrg => stack.sandboxes.sandboxes.zoho!.server.org('default') as ZohoOrg;
const jobsCreated = () => org().log.snapshot(0).counters['POST /dc/:dc/api/crm/bulk/v8/write'] ?? 0;

async function connection() {
  const c = await stack.ctx.store.connections.getById(tenant.connections.zoho);
  return { id: c.id, tenantId: c.tenantId, crm: c.crm };
}

/** `N` keyed upserts of new contacts (`run`-keyed), one with an email Zoho refuses; stored, flush asked. */
async function burst(run: string): Promise<string[]> {
  const specs: OperationSpec[] = Array.from({ length: N }, (_, i) => ({
    kind: 'UPSERT',
    externalId: { field: 'Gateway_Key', value: `${run}-${i}` },
    fields: { Last_Name: `Bulk ${i}`, Email: i === BAD ? 'not an email' : `b${i}@${run}.example` },
  }));
  const c = await connection();
  const ids = await insertOperations(stack.ctx, c, specs);
  await requestWriteFlush(stack.ctx.queues.get(QUEUES.writes), groupOf(c.id, 'UPSERT'), 'accepted');
  return ids;
}

async function settled(ids: string[]): Promise<WriteOperation[]> {
  let ops: WriteOperation[] = [];
  await within(200_000, async () => {
    // A read of 6,000 operations is not free on FerretDB: asked every two seconds, not every 20 ms.
    await new Promise((r) => setTimeout(r, 2000));
    ops = await stack.ctx.store.writeBatches.findMany(ids);
    expect(ops.filter((o) => FINAL_WRITE_STATUSES.has(o.status))).toHaveLength(ids.length);
  });
  const byId = new Map(ops.map((o) => [o.id, o]));
  return ids.map((id) => byId.get(id)!);
}

/** Contacts of the org holding each key of `run`, by key: one each, never two. */
function byKey(run: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const id of liveIds(org(), 'Contacts')) {
    const key = recordOf(org(), 'Contacts', id)?.Gateway_Key;
    if (typeof key === 'string' && key.startsWith(`${run}-`)) out.set(key, [...(out.get(key) ?? []), id]);
  }
  return out;
}

function expectOutcomes(ops: WriteOperation[], run: string): void {
  const failed = ops.filter((o) => o.status !== 'SUCCEEDED');
  expect(failed.map((o) => [ops.indexOf(o), o.status, o.failure?.code])).toEqual([
    [BAD, 'FAILED', 'VALIDATION'],
  ]);
  const keys = byKey(run);
  expect(keys.size).toBe(N - 1);
  expect([...keys.values()].every((ids) => ids.length === 1)).toBe(true);
  // Each operation names the record holding its own key.
  for (const i of [0, BAD - 1, BAD + 1, N - 1]) expect(ops[i]!.remoteId).toBe(keys.get(`${run}-${i}`)![0]);
}

it('sends a 6,000-upsert burst as one Bulk Write job; the bad row fails alone on its own operation', async () => {
  stack.sandboxes.sandboxes.zoho!.server.patchSettings('default', { bulkWriteMs: 300 });
  const before = jobsCreated();
  const ids = await burst('a');
  worker = await startWorker(stack.ctx);
  const ops = await settled(ids);
  expect(jobsCreated() - before).toBe(1);
  expectOutcomes(ops, 'a');
  // The writes the job made are not sent again as REST upserts.
  expect(org().log.snapshot(0).counters['POST /dc/:dc/api/crm/v8/:module/upsert'] ?? 0).toBe(0);
});

it('a poll lost in Redis is re-created by the reconciler; the job is collected once, nothing applied twice', async () => {
  // The job runs long enough for its poll to be lost before it ends.
  stack.sandboxes.sandboxes.zoho!.server.patchSettings('default', { bulkWriteMs: 30_000 });
  const before = jobsCreated();
  const ids = await burst('b');
  worker ??= await startWorker(stack.ctx);
  await within(100_000, async () => {
    await new Promise((r) => setTimeout(r, 500));
    const ops = await stack.ctx.store.writeBatches.findMany(ids.slice(0, 5));
    expect(ops.every((o) => o.status === 'RUNNING' && o.bulkJob !== null)).toBe(true);
  });
  // Its poll is lost (Redis emptied of the job and its lease), as with a Redis restart without AOF.
  const queue = stack.ctx.queues.get(QUEUES.writes);
  for (const job of await queue.getJobs(['delayed', 'waiting', 'active']))
    if (job?.name === WRITE_BULK_POLL_JOB) await job.remove();
  const prefix = stack.ctx.redisPrefix;
  for (const key of await redis.keys(`${prefix}:write-bulk-poll:*`)) await redis.del(key);

  const deps = {
    store: stack.ctx.store,
    queue,
    lock: new FlushLock(stack.ctx.redis, prefix),
    events: createWriteOperationEventPublisher({ redis: stack.ctx.redis, redisPrefix: prefix }),
    logger: createLogger({ level: 'silent' }),
    bulkPolls: new BulkPolls(queue, stack.ctx.redis, prefix),
  };
  // Not stranded: the reconciler leaves the job's operations RUNNING and re-creates its poll.
  const run = await runWriteReconciler({ ...deps, now: () => Date.now() + 60_000 });
  expect(run.requeued).toBe(0);
  expect(run.failed).toBe(0);
  expect((await stack.ctx.store.writeBatches.findMany(ids.slice(0, 5))).map((o) => o.status)).toEqual(
    Array(5).fill('RUNNING'),
  );
  const polls = (await queue.getJobs(['delayed', 'waiting', 'active'])).filter(
    (j) => j?.name === WRITE_BULK_POLL_JOB,
  );
  expect(polls).toHaveLength(1);
  const ops = await settled(ids);
  expect(jobsCreated() - before).toBe(1);
  expectOutcomes(ops, 'b');
});

it('sends a keyed-upsert burst at the Salesforce threshold as one Bulk API 2.0 job', async () => {
  const sf = stack.sandboxes.sandboxes.salesforce!.server.org('default');
  const ingestJobs = () =>
    Object.entries(sf.log.snapshot(0).counters)
      .filter(([k]) => k.startsWith('POST ') && k.endsWith('/jobs/ingest'))
      .reduce((n, [, v]) => n + v, 0);
  const before = ingestJobs();
  const c = await stack.ctx.store.connections.getById(tenant.connections.salesforce);
  const n = 2000;
  const ids = await insertOperations(
    stack.ctx,
    { id: c.id, tenantId: c.tenantId, crm: c.crm },
    Array.from({ length: n }, (_, i) => ({
      kind: 'UPSERT' as const,
      externalId: { field: 'External_Id__c', value: `SFB-${i}` },
      fields: { LastName: `Bulk ${i}`, Email: `sfb${i}@bulk.example` },
    })),
  );
  await requestWriteFlush(stack.ctx.queues.get(QUEUES.writes), groupOf(c.id, 'UPSERT'), 'accepted');
  worker ??= await startWorker(stack.ctx);
  const ops = await settled(ids);
  expect(ops.filter((o) => o.status !== 'SUCCEEDED').map((o) => o.failure)).toEqual([]);
  expect(ingestJobs() - before).toBe(1);
  const table = (
    sf.state as { store: { table(t: string): Map<string, Record<string, unknown>> } }
  ).store.table('Contact');
  const keyed = [...table.values()].filter(
    (r) => typeof r.External_Id__c === 'string' && r.External_Id__c.startsWith('SFB-'),
  );
  expect(keyed).toHaveLength(n);
  expect(new Set(ops.map((o) => o.remoteId)).size).toBe(n);
});
