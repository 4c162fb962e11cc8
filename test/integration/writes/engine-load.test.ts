import { writeOperationModel } from '../../../src/store/models/write-operation.model';
import { FlushLock } from '../../../src/writes/flush-lock';
import { type WriteGroup } from '../../../src/writes/write-operation.types';
import { processWriteReconciler } from '../../../src/worker/writes/write-reconciler.processor';
import { engineTestContext, reconcilerDeps } from '../../support/writes/engine-context';
import { groupOf, insertOperations } from '../../support/writes/operations';

/**
 * The write engine on a slow store (issue 17: `bench:writes` Salesforce at 0.0 records/s, its writes
 * QUEUED for minutes, none FAILED). On FerretDB every query but an `_id` lookup decodes the whole
 * collection, so the engine's cost is its number of queries. Real FerretDB and Redis.
 */

const context = engineTestContext();

/**
 * The reconciler's job gate: Bull starts each repeat of the job when due, whether or not the last run
 * ended, so slow runs piled up on the flushes' slots and the store. One run at a time, then a rest
 * proportional to how long it took. The store's first query of a run is slowed, so runs overlap as
 * they did under load.
 */
describe('the reconciler job', () => {
  const RUN_MS = 150;

  function job(redisPrefix: string) {
    return processWriteReconciler({
      ...reconcilerDeps(context()),
      redis: context().redis,
      redisPrefix,
    });
  }

  /** Counts the runs that reached the store, each made to take at least RUN_MS. */
  function slowRuns(): { runs: () => number; restore: () => void } {
    const repo = context().store.writeBatches;
    const original = repo.recoverStale;
    let runs = 0;
    const spy = jest.spyOn(repo, 'recoverStale').mockImplementation(async (...args) => {
      runs += 1;
      await new Promise((r) => setTimeout(r, RUN_MS));
      return original(...args);
    });
    return { runs: () => runs, restore: () => spy.mockRestore() };
  }

  it('runs one reconciler job at a time: the jobs started meanwhile do nothing', async () => {
    const slow = slowRuns();
    try {
      const run = job(`${context().redisPrefix}:one`);
      const results = await Promise.all(Array.from({ length: 8 }, () => run()));
      expect(slow.runs()).toBe(1);
      expect(results.filter((r) => 'skipped' in r)).toHaveLength(7);
      expect(results.filter((r) => !('skipped' in r))).toHaveLength(1);
    } finally {
      slow.restore();
    }
  });

  it('rests after a run for a multiple of its length, then runs again', async () => {
    const slow = slowRuns();
    try {
      const run = job(`${context().redisPrefix}:rest`);
      const started = Date.now();
      await run();
      const took = Date.now() - started;
      expect(await run()).toEqual({ skipped: 'resting' });
      expect(slow.runs()).toBe(1);
      // The rest is four runs long (REST_FACTOR): past it, the next job runs.
      await new Promise((r) => setTimeout(r, 4 * took + 100));
      expect(await run()).not.toHaveProperty('skipped');
      expect(slow.runs()).toBe(2);
    } finally {
      slow.restore();
    }
  });

  it('a separate gate per Redis prefix: two deployments on one Redis do not hold each other', async () => {
    const slow = slowRuns();
    try {
      const [a, b] = await Promise.all([
        job(`${context().redisPrefix}:a`)(),
        job(`${context().redisPrefix}:b`)(),
      ]);
      expect(a).not.toHaveProperty('skipped');
      expect(b).not.toHaveProperty('skipped');
      expect(slow.runs()).toBe(2);
    } finally {
      slow.restore();
    }
  });
});

/**
 * The claim's cost: ONE query that is not an `_id` lookup (a collection scan on FerretDB) — every open
 * operation of the connection, projected, which gives both the group's candidates and each record's
 * earliest unfinished write — then the chosen documents by `_id` and their update. A batch with an
 * update still orders each record's writes across groups.
 */
describe('the claim of a batch', () => {
  async function claim(group: WriteGroup) {
    const lock = new FlushLock(context().redis, context().redisPrefix);
    const token = await lock.tryAcquire(group);
    try {
      return await context().store.writeBatches.claim(group, token!, 200, new Date());
    } finally {
      await lock.release(group, token!);
    }
  }

  it('claims a batch of creates in three round trips: open operations, their documents, the update', async () => {
    const connection = { id: 'conn-creates', tenantId: 't-creates', crm: 'salesforce' };
    const ids = await insertOperations(
      context(),
      connection,
      Array.from({ length: 3 }, (_, i) => ({ kind: 'CREATE' as const, fields: { LastName: `c${i}` } })),
    );
    const result = await claim(groupOf(connection.id, 'CREATE'));
    expect(result.claimed.map((o) => o.id)).toEqual(ids);
    expect(result.claimed.every((o) => o.status === 'RUNNING')).toBe(true);
    expect(result.roundTrips).toBe(3);
  });

  it('a batch with an update still waits for the earlier unfinished write of its record', async () => {
    const connection = { id: 'conn-mixed', tenantId: 't-mixed', crm: 'salesforce' };
    // The record's delete came first and is RUNNING (another group): the update waits for it.
    await insertOperations(context(), connection, [
      { kind: 'DELETE', remoteId: '003A', status: 'RUNNING', runningSince: new Date(), claimToken: 'x' },
    ]);
    const [create, update] = await insertOperations(context(), connection, [
      { kind: 'CREATE', fields: { LastName: 'new' } },
      { kind: 'UPDATE', remoteId: '003A', fields: { LastName: 'later' } },
    ]);
    const result = await claim(groupOf(connection.id, 'CREATE'));
    expect(result.claimed.map((o) => o.id)).toEqual([create]);
    expect(result.claimed.map((o) => o.id)).not.toContain(update);
    expect(result.roundTrips).toBe(3);
  });

  it('says a group is blocked when a write waits for a RUNNING one, not for a QUEUED one', async () => {
    const connection = { id: 'conn-blocked', tenantId: 't-blocked', crm: 'salesforce' };
    // The record's update runs in another flush (claimed there): its delete must wait, and that flush
    // may have read the open operations before the delete was stored — so it asks again itself.
    await insertOperations(context(), connection, [
      { kind: 'UPDATE', remoteId: '003B', status: 'RUNNING', runningSince: new Date(), claimToken: 'y' },
      { kind: 'UPDATE', remoteId: '003C' },
    ]);
    await insertOperations(context(), connection, [
      { kind: 'DELETE', remoteId: '003B' },
      { kind: 'DELETE', remoteId: '003C' },
    ]);
    const result = await claim(groupOf(connection.id, 'DELETE'));
    expect(result.claimed).toHaveLength(0);
    expect(result.blocked).toBe(true);
    // The QUEUED update's own flush reads the delete among the open operations and wakes its group.
    const updates = await claim(groupOf(connection.id, 'UPDATE'));
    expect(updates.claimed.map((o) => o.remoteId)).toEqual(['003C']);
    expect(updates.blocked).toBe(false);
    expect(updates.open.filter((o) => o.batchKind === 'DELETE')).toHaveLength(2);
  });
});

/**
 * A reconciler run reads the open operations once (on FerretDB every other query decodes the whole
 * collection again): stranded RUNNING writes, final copies left behind, groups with writes QUEUED past
 * the bound, and the queue's depth and oldest — all from the one answer.
 */
describe("the reconciler's one read", () => {
  it('finds the stranded, the final, the stale groups, the depth and the oldest', async () => {
    const connection = { id: 'conn-scan', tenantId: 't-scan', crm: 'hubspot' };
    const old = new Date(Date.now() - 60_000);
    const [stranded, final, stale, fresh, later] = await insertOperations(context(), connection, [
      { kind: 'UPDATE', remoteId: 'S1', status: 'RUNNING', runningSince: old, claimToken: 'gone' },
      { kind: 'UPDATE', remoteId: 'S2', status: 'FAILED' },
      { kind: 'DELETE', remoteId: 'S3', acceptedAt: old },
      { kind: 'UPDATE', remoteId: 'S4' },
      { kind: 'CREATE', object: 'deal', fields: { dealname: 'x' }, acceptedAt: old },
    ]);
    // Due only in a minute (a reschedule): not a lost flush.
    await writeOperationModel(context().store.conn).updateOne(
      { _id: later },
      { $set: { notBefore: new Date(Date.now() + 60_000) } },
    );
    const scan = await context().store.writeBatches.reconcileScan(new Date(), 10_000);
    const mine = new Set([stranded, final, stale, fresh, later]);
    expect(scan.running.map((d) => d._id).filter((id) => mine.has(id))).toEqual([stranded]);
    expect(scan.finalIds.filter((id) => mine.has(id))).toEqual([final]);
    expect(scan.staleGroups.filter((g) => g.connectionId === connection.id)).toEqual([
      groupOf(connection.id, 'DELETE'),
    ]);
    expect(scan.depth).toBeGreaterThanOrEqual(3);
    expect(scan.oldestAcceptedAt!.getTime()).toBeLessThanOrEqual(old.getTime());
  });
});
