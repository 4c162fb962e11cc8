import { type CrmError, CrmError as CrmErrorBase, CrmUpstreamError, CrmValidationError } from '../../errors';
import { type CrmObject, type RecordWrite, type WriteResult } from '../types';
import { type HubSpotApi } from './api-context';
import { CRM, PATHS } from './hubspot.constants';
import { batchItemError, toHsProperties } from './mappers';
import { type HsBatchResponse, type HsStandardError, type HsUpsertObject } from './wire.types';

/**
 * Batch writes (docs/vendors/hubspot.md "Batch endpoints"): create, update by id and upsert by a unique property, ≤ 100 inputs per call, one
 * result per record. Every input carries an `objectWriteTraceId`, which makes HubSpot answer 207 with
 * per-record errors instead of failing the whole batch for one bad record. Where HubSpot still refuses a
 * whole batch (400/409 — a 3P report says it can), the batch is split in halves until the bad records
 * are isolated, so the good ones are written anyway.
 */

type Kind = 'create' | 'update' | 'upsert';

interface Pending {
  index: number;
  write: RecordWrite;
  kind: Kind;
  traceId: string;
}

export async function upsertRecords(
  api: HubSpotApi,
  obj: CrmObject,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  assertBatchSize(writes.length, api.writeBatch, 'upsertRecords');
  const results: (WriteResult | undefined)[] = new Array<WriteResult | undefined>(writes.length);
  const groups: Record<Kind, Pending[]> = { create: [], update: [], upsert: [] };
  writes.forEach((write, index) => {
    const kind: Kind = write.remoteId ? 'update' : write.externalId ? 'upsert' : 'create';
    // Unique within the call; HubSpot echoes it on the record's result or error.
    groups[kind].push({ index, write, kind, traceId: `cgw-${index}` });
  });

  let applied = false;
  for (const kind of ['upsert', 'update', 'create'] as const) {
    const group = groups[kind];
    if (group.length === 0) continue;
    try {
      await sendIsolating(api, obj, kind, group, results);
      applied = true;
    } catch (err) {
      // Nothing written yet: the caller may retry the whole call. After a group went through, a retry of
      // the whole call would repeat its creates, so the rest fail per record (retryable) instead.
      if (!applied || !(err instanceof CrmErrorBase)) throw err;
      for (const p of group) results[p.index] ??= { ref: p.write.ref, ok: false, error: err };
    }
  }
  return results.map(
    (r, i) =>
      r ?? {
        ref: writes[i]?.ref ?? '',
        ok: false,
        error: new CrmUpstreamError(`${CRM} returned no result for record ${i} of the batch`, { crm: CRM }),
      },
  );
}

/** A whole-call refusal that is about the records (not about the connection): worth isolating. */
function isRecordLevel(err: unknown): err is CrmError {
  return (
    err instanceof CrmErrorBase && !err.retryable && (err.code === 'VALIDATION' || err.code === 'CONFLICT')
  );
}

async function sendIsolating(
  api: HubSpotApi,
  obj: CrmObject,
  kind: Kind,
  group: Pending[],
  results: (WriteResult | undefined)[],
): Promise<void> {
  try {
    await sendGroup(api, obj, kind, group, results);
  } catch (err) {
    if (!isRecordLevel(err)) throw err;
    await isolate(api, obj, kind, group, err, results);
  }
}

/** `group` was refused as a whole with `err`: bisect until the refused records are alone. */
async function isolate(
  api: HubSpotApi,
  obj: CrmObject,
  kind: Kind,
  group: Pending[],
  err: CrmError,
  results: (WriteResult | undefined)[],
): Promise<void> {
  if (group.length === 1) {
    const only = group[0] as Pending;
    results[only.index] = { ref: only.write.ref, ok: false, error: err };
    return;
  }
  const mid = Math.ceil(group.length / 2);
  const failed: { half: Pending[]; error: CrmError }[] = [];
  for (const half of [group.slice(0, mid), group.slice(mid)]) {
    try {
      await sendGroup(api, obj, kind, half, results);
    } catch (inner) {
      if (!isRecordLevel(inner)) throw inner;
      failed.push({ half, error: inner });
    }
  }
  // Both halves refused with the same complaint: it is about every record (an unknown property, a
  // missing scope), and bisecting further would only spend budget to learn the same thing.
  const [a, b] = failed;
  if (a && b && a.error.message === b.error.message) {
    for (const p of group) results[p.index] ??= { ref: p.write.ref, ok: false, error: a.error };
    return;
  }
  for (const f of failed) await isolate(api, obj, kind, f.half, f.error, results);
}

function inputOf(kind: Kind, p: Pending): Record<string, unknown> {
  const properties = toHsProperties(p.write.fields);
  if (kind === 'update') return { id: p.write.remoteId, properties, objectWriteTraceId: p.traceId };
  if (kind === 'upsert') {
    const ext = p.write.externalId as { field: string; value: string };
    return { id: ext.value, idProperty: ext.field, properties, objectWriteTraceId: p.traceId };
  }
  return { properties, associations: [], objectWriteTraceId: p.traceId };
}

async function sendGroup(
  api: HubSpotApi,
  obj: CrmObject,
  kind: Kind,
  group: Pending[],
  results: (WriteResult | undefined)[],
): Promise<void> {
  const res = await api.http.request<HsBatchResponse<HsUpsertObject>>({
    method: 'POST',
    url: PATHS.batch(obj, kind),
    json: { inputs: group.map((p) => inputOf(kind, p)) },
    // Updates and upserts by a unique key converge when repeated; a create does not.
    idempotent: kind !== 'create',
  });
  const body = res.body ?? { results: [] };
  const byTrace = new Map(group.map((p) => [p.traceId, p]));
  const open = new Set(group);
  const settle = (p: Pending, r: WriteResult): void => {
    if (!open.has(p)) return;
    open.delete(p);
    results[p.index] = r;
  };

  for (const o of body.results ?? []) {
    const p =
      (o.objectWriteTraceId && byTrace.get(o.objectWriteTraceId)) || matchResult(kind, group, open, o);
    if (!p) continue;
    const created = kind === 'create' ? true : kind === 'update' ? false : o.new === true;
    settle(p, { ref: p.write.ref, ok: true, remoteId: String(o.id), created });
  }
  const unattributed: HsStandardError[] = [];
  for (const e of body.errors ?? []) {
    const targets = errorTargets(kind, group, byTrace, e);
    if (targets.length === 0) unattributed.push(e);
    for (const p of targets) settle(p, { ref: p.write.ref, ok: false, error: batchItemError(e) });
  }
  // Results without trace ids, in input order, when HubSpot answered every input and reported nothing.
  const first = unattributed[0];
  for (const p of open) {
    if (first) settle(p, { ref: p.write.ref, ok: false, error: batchItemError(first) });
  }
}

/** A result without a trace id: by id (update) or by the unique value (upsert). */
function matchResult(
  kind: Kind,
  group: Pending[],
  open: Set<Pending>,
  o: HsUpsertObject,
): Pending | undefined {
  if (kind === 'update') return group.find((p) => open.has(p) && p.write.remoteId === String(o.id));
  if (kind === 'upsert') {
    return group.find((p) => {
      const ext = p.write.externalId;
      const v = ext ? o.properties?.[ext.field] : undefined;
      return (
        open.has(p) &&
        ext !== undefined &&
        typeof v === 'string' &&
        v.toLowerCase() === ext.value.toLowerCase()
      );
    });
  }
  // Creates: HubSpot returns results in input order; take the first open one only when no trace ids came back.
  return group.find((p) => open.has(p));
}

function errorTargets(
  kind: Kind,
  group: Pending[],
  byTrace: Map<string, Pending>,
  e: HsStandardError,
): Pending[] {
  const traces = e.context?.objectWriteTraceId ?? [];
  const traced = traces.map((t) => byTrace.get(t)).filter((p): p is Pending => p !== undefined);
  if (traced.length > 0) return traced;
  const ids = new Set((e.context?.ids ?? []).map((id) => id.toLowerCase()));
  if (ids.size === 0) return [];
  return group.filter((p) => {
    const key =
      kind === 'update' ? p.write.remoteId : kind === 'upsert' ? p.write.externalId?.value : undefined;
    return key !== undefined && ids.has(key.toLowerCase());
  });
}

/** Archives ≤ 100 records in one call. HubSpot answers 204 for the whole batch, unknown ids included. */
export async function deleteRecords(
  api: HubSpotApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<WriteResult[]> {
  assertBatchSize(remoteIds.length, api.writeBatch, 'deleteRecords');
  if (remoteIds.length === 0) return [];
  await api.http.request({
    method: 'POST',
    url: PATHS.batch(obj, 'archive'),
    json: { inputs: remoteIds.map((id) => ({ id })) },
    idempotent: true,
  });
  return remoteIds.map((id) => ({ ref: id, ok: true, remoteId: id, created: false }));
}

function assertBatchSize(n: number, max: number, what: string): void {
  if (n > max) {
    throw new CrmValidationError(`${CRM} ${what} takes at most ${max} records per call; got ${n}`, {
      crm: CRM,
    });
  }
}
