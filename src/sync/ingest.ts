import { type RedisClient } from '../redis/client';
import { type CrmObject, type NativeChange, type NativeRecord } from '../connectors/types';
import { UnavailableError } from '../errors';
import { type Logger } from '../logger';
import { type BackgroundReadDeps, backgroundMetadata } from '../reads/background-metadata';
import { type CanonicalRecord, toCanonicalRecord } from '../reads/canonical';
import { OwnedLock } from '../redis/owned-lock';
import { type ObjectMapping } from '../mapping/types';
import { type Store } from '../store';
import { type FieldChange } from '../store/repositories/change-events.repo';
import { type FieldValue, type RecordSnapshot } from '../store/repositories/record-snapshots.repo';
import { type WriteService } from '../writes/write-service.types';
import { InFlightWrites } from '../writes/in-flight';
import { type ChangeEntry, type ChangeLog } from './change-log';
import { conflictingChanges, type RecordRef, WriteBacks } from './conflicts';
import { isStale, type RecordTransition, transitionOf } from './record-changes';
import { eraseRecordData } from './purge';
import { syncMetrics } from './sync-metrics';
import { type IngestBatch, type IngestChanges, type IngestOutcome } from './types';
import { redisKey } from '../redis/keys';

export interface IngestDeps extends BackgroundReadDeps {
  store: Pick<Store, 'fieldMappings' | 'recordSnapshots' | 'conn'>;
  changeLog: Pick<ChangeLog, 'record'>;
  inFlight: Pick<InFlightWrites, 'which'>;
  /** Conflicts on app-owned fields and their write-backs (src/sync/conflicts.ts); absent: none detected. */
  writeBacks?: Pick<WriteBacks, 'claim' | 'writeBack'>;
  redis: RedisClient;
  redisPrefix: string;
  logger: Pick<Logger, 'warn' | 'debug'>;
  /** How long an ingest waits for another ingest of the same (connection, object). */
  lockWaitMs?: number;
}

/** Longer than one ingest takes (a batch read and two store writes); a dead holder blocks no longer. */
const INGEST_LOCK_TTL_MS = 30_000;
const LOCK_POLL_MS = 50;

/**
 * The ingest core (contract: src/sync/types.ts): native changes → canonical records → transitions
 * against the record snapshots → one numbered change event per real change (src/sync/change-log.ts).
 *
 * Per batch:
 * 1. One change per record: the latest by the vendor's time (a delivery may carry a record's creation
 *    and three property changes; the record as it is now is what gets compared).
 * 2. Under a lock per (connection, object), so two ingests — a webhook and a poll, two workers — never
 *    compare against the same snapshot and both record the change.
 * 3. Records a write of ours is changing now are skipped (the write engine records them: src/writes/in-flight.ts).
 * 4. Changes without their record are read in batches of the connector's `readBatch` (the current
 *    state: what happened in between is not observable, and a field diff needs only the ends).
 * 5. Observations older than the snapshot are skipped; the rest become transitions, and those that
 *    change something are recorded with their snapshots.
 */
export function createIngest(deps: IngestDeps): IngestChanges {
  const lock = new OwnedLock(
    deps.redis,
    redisKey(deps.redisPrefix, 'lock', 'sync-ingest'),
    INGEST_LOCK_TTL_MS,
  );
  return async (batch) => {
    const latest = latestPerRecord(batch.changes.filter((c) => c.object === batch.object));
    const outcome: IngestOutcome = { events: 0, unchanged: 0, fetched: 0, skipped: 0 };
    if (latest.length === 0) return outcome;
    const name = `${batch.connection.id}:${batch.object}`;
    const owner = await acquire(lock, name, deps.lockWaitMs ?? INGEST_LOCK_TTL_MS);
    try {
      const done = await ingestLocked(deps, batch, latest, outcome);
      syncMetrics.observed(batch.connection.crm, batch.source, done);
      return done;
    } finally {
      await lock.release(name, owner).catch(() => undefined);
    }
  };
}

async function acquire(lock: OwnedLock, name: string, waitMs: number): Promise<string> {
  const until = Date.now() + waitMs;
  for (;;) {
    const owner = await lock.tryAcquire(name);
    if (owner) return owner;
    if (Date.now() >= until) {
      throw new UnavailableError(
        `another sync of ${name} has been running for over ${waitMs} ms; retry later`,
      );
    }
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
}

function latestPerRecord(changes: readonly NativeChange[]): NativeChange[] {
  const byId = new Map<string, NativeChange>();
  for (const c of changes) {
    const seen = byId.get(c.remoteId);
    // Ties go to the later in delivery order: vendors list a record's events in the order they happened.
    const latest = !seen || Date.parse(c.occurredAt) >= Date.parse(seen.occurredAt) ? c : seen;
    // A privacy erasure anywhere in the delivery holds for the record (a vendor may also send a plain deletion).
    byId.set(
      c.remoteId,
      seen?.privacyErasure || c.privacyErasure ? { ...latest, privacyErasure: true } : latest,
    );
  }
  return [...byId.values()];
}

async function ingestLocked(
  deps: IngestDeps,
  batch: IngestBatch,
  latest: NativeChange[],
  outcome: IngestOutcome,
): Promise<IngestOutcome> {
  const { connection, object } = batch;
  const busy = await deps.inFlight.which(
    connection.id,
    object,
    latest.map((c) => c.remoteId),
  );
  const todo = latest.filter((c) => !busy.has(c.remoteId));
  outcome.skipped += latest.length - todo.length;
  if (todo.length === 0) return outcome;

  const metadata = await backgroundMetadata(deps, connection);
  const [{ mapping }, mappingCtx] = await Promise.all([
    metadata.mapping(object),
    metadata.mappingContext(object),
  ]);
  const natives = await nativeRecords(await metadata.reading(object), object, todo, outcome);
  // A privacy deletion erases what we kept of the record first: it is then recorded as a deletion of a
  // record we know nothing of (docs/vendors/<crm>.md "Webhooks", docs/sync.md "Lifecycle and privacy").
  for (const c of todo.filter((c) => c.privacyErasure)) {
    await eraseRecordData(deps.store.conn, { connectionId: connection.id, object, remoteId: c.remoteId });
  }
  const priors = await deps.store.recordSnapshots.findMany(
    connection.id,
    object,
    todo.map((c) => c.remoteId),
  );

  const entries: ChangeEntry[] = [];
  const writeBacks: { ref: RecordRef; values: FieldValue[]; conflicts: FieldChange[] }[] = [];
  for (const change of todo) {
    const native = natives.get(change.remoteId) ?? null;
    const observed: CanonicalRecord | null =
      native && change.kind !== 'DELETED'
        ? toCanonicalRecord(connection.id, object, mapping, native, mappingCtx)
        : null;
    const prior = priors.get(change.remoteId);
    const observedAt = observed?.updatedAt ?? new Date(change.occurredAt);
    if (isStale(prior, observedAt)) {
      outcome.skipped += 1;
      continue;
    }
    const ids = {
      tenantId: connection.tenantId,
      connectionId: connection.id,
      object,
      remoteId: change.remoteId,
    };
    const deletedAt = observed ? null : new Date(change.occurredAt);
    const transition = transitionOf(ids, prior, observed, deletedAt);
    if (!transition) {
      outcome.unchanged += 1;
      continue;
    }
    const settled =
      prior && transition.kind === 'UPDATED' && deps.writeBacks
        ? await settleConflicts(deps.writeBacks, ids, prior, transition, mapping)
        : null;
    if (settled && settled.values.length > 0) writeBacks.push({ ref: ids, ...settled });
    entries.push({
      snapshot: transition.snapshot,
      isNew: !prior,
      event: {
        ...ids,
        kind: transition.kind,
        source: batch.source,
        changes: transition.changes,
        occurredAt: new Date(change.occurredAt),
        observedAt: batch.observedAt,
        hard: change.privacyErasure === true,
        writeOperationId: null,
      },
    });
  }
  const recorded = await deps.changeLog.record(connection.tenantId, entries);
  outcome.events += recorded.length;
  syncMetrics.recorded(
    connection.crm,
    batch.source,
    recorded.map((e) => e.kind),
  );
  // After the CONFLICT events: the write-back's own MUTATION event must come after them.
  for (const w of writeBacks) await deps.writeBacks!.writeBack(w.ref, w.values, w.conflicts);
  return outcome;
}

/**
 * A CRM-side UPDATED that takes app-owned, app-written fields away from the app's values becomes a
 * CONFLICT, and returns the app's values to write back — the first time for each (record, field, CRM
 * value). A field whose write-back was already spent on that value is left to the CRM: it leaves the
 * app's written values (src/sync/conflicts.ts).
 */
async function settleConflicts(
  writeBacks: Pick<WriteBacks, 'claim'>,
  ref: RecordRef,
  prior: RecordSnapshot,
  transition: RecordTransition,
  mapping: ObjectMapping,
): Promise<{ values: FieldValue[]; conflicts: FieldChange[] }> {
  const appValues = prior.appValues ?? [];
  const conflicts: FieldChange[] = [];
  const values: FieldValue[] = [];
  const given: string[] = [];
  for (const c of conflictingChanges(transition.changes, appValues, mapping)) {
    if (await writeBacks.claim(ref, c)) {
      conflicts.push(c);
      values.push(appValues.find((p) => p.field === c.field)!);
    } else given.push(c.field);
  }
  transition.snapshot.appValues = appValues.filter((p) => !given.includes(p.field));
  if (values.length > 0) transition.kind = 'CONFLICT';
  return { values, conflicts };
}

/**
 * The record of each change: carried by the change (polls), else read now in batches (webhooks name
 * only the id). A record the CRM no longer returns is deleted; its change becomes a deletion.
 */
async function nativeRecords(
  connector: {
    getRecords(obj: CrmObject, ids: readonly string[]): Promise<(NativeRecord | null)[]>;
    limits: { readBatch: number };
  },
  object: CrmObject,
  changes: readonly NativeChange[],
  outcome: IngestOutcome,
): Promise<Map<string, NativeRecord>> {
  const records = new Map<string, NativeRecord>();
  const missing: string[] = [];
  for (const c of changes) {
    if (c.record) records.set(c.remoteId, c.record);
    else if (c.kind !== 'DELETED') missing.push(c.remoteId);
  }
  for (let i = 0; i < missing.length; i += connector.limits.readBatch) {
    const ids = missing.slice(i, i + connector.limits.readBatch);
    const found = await connector.getRecords(object, ids);
    outcome.fetched += ids.length;
    found.forEach((r, k) => {
      if (r) records.set(ids[k]!, r);
    });
  }
  return records;
}

/** The ingest of a process's app context: what the webhook and poll processors are given. */
export function ingestOf(ctx: {
  store: IngestDeps['store'];
  crm: IngestDeps['crm'];
  changeLog: IngestDeps['changeLog'];
  redis: RedisClient;
  redisPrefix: string;
  logger: IngestDeps['logger'];
  writes: Pick<WriteService, 'accept'>;
}): IngestChanges {
  return createIngest({
    store: ctx.store,
    crm: ctx.crm,
    changeLog: ctx.changeLog,
    inFlight: new InFlightWrites(ctx.redis, ctx.redisPrefix),
    writeBacks: new WriteBacks({
      redis: ctx.redis,
      redisPrefix: ctx.redisPrefix,
      writes: ctx.writes,
      logger: ctx.logger,
    }),
    redis: ctx.redis,
    redisPrefix: ctx.redisPrefix,
    logger: ctx.logger,
  });
}
