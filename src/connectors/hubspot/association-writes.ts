import {
  type CrmError,
  CrmError as CrmErrorBase,
  CrmNotFoundError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../errors';
import { type CrmObject, type LinkPair, type WriteResult } from '../types';
import { type HubSpotApi } from './api-context';
import { CRM, PATHS } from './hubspot.constants';
import { batchItemError } from './mappers';
import { type HsBatchResponse, type HsStandardError } from './wire.types';

/**
 * Association writes (docs/vendors/hubspot.md "Association writes"): associations v4 `batch/associate/
 * default` links each pair with the default (unlabeled) type, `batch/archive` removes every type
 * between each pair; ≤ 100 inputs per call (`writeBatch`), one result per pair in order.
 *
 * Idempotent both ways: linking a linked pair is a success (HubSpot answers it like a new one), and so
 * is unlinking a pair that is not linked — a pair naming a record HubSpot does not have included, since
 * the association the caller wants gone is not there. A link naming an unknown record fails alone
 * (NOT_FOUND); how HubSpot reports it — a per-input error in a 207, or a refusal of the whole call —
 * is not settled by the documentation, so both are handled: per-input errors are attributed to the
 * pairs their `context` names, and a whole call refused for its records is split in halves until the
 * bad pairs are alone, so the others are written anyway.
 */

type Op = 'associate/default' | 'archive';

interface Pending {
  index: number;
  pair: LinkPair;
}

/** HubSpot record ids are numbers: anything else names no record (and could make HubSpot refuse the whole call). */
const HS_ID = /^\d{1,20}$/;

export function linkRecords(
  api: HubSpotApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  return writePairs(api, from, to, pairs, 'associate/default');
}

export function unlinkRecords(
  api: HubSpotApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  return writePairs(api, from, to, pairs, 'archive');
}

async function writePairs(
  api: HubSpotApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
  op: Op,
): Promise<WriteResult[]> {
  if (pairs.length > api.writeBatch) {
    throw new CrmValidationError(
      `${CRM} ${op === 'archive' ? 'unlinkRecords' : 'linkRecords'} takes at most ${api.writeBatch} pairs per call; got ${pairs.length}`,
      { crm: CRM },
    );
  }
  if (from === to) {
    throw new CrmValidationError(
      `${CRM} associations are written between contacts and deals, got ${from} → ${to}`,
      {
        crm: CRM,
      },
    );
  }
  const results: (WriteResult | undefined)[] = new Array<WriteResult | undefined>(pairs.length);
  const sendable: Pending[] = [];
  pairs.forEach((pair, index) => {
    if (HS_ID.test(pair.fromId) && HS_ID.test(pair.toId)) sendable.push({ index, pair });
    else results[index] = op === 'archive' ? ok(pair) : notFound(pair, `not a ${CRM} record id`);
  });
  if (sendable.length > 0) await sendIsolating(api, from, to, op, sendable, results);
  return results.map(
    (r, i) =>
      r ?? {
        ref: pairs[i]?.ref ?? '',
        ok: false,
        error: new CrmUpstreamError(`${CRM} returned no result for pair ${i} of the batch`, { crm: CRM }),
      },
  );
}

function ok(pair: LinkPair): WriteResult {
  return { ref: pair.ref, ok: true, remoteId: pair.fromId, created: false };
}

function notFound(pair: LinkPair, why: string): WriteResult {
  return {
    ref: pair.ref,
    ok: false,
    error: new CrmNotFoundError(`${CRM} cannot link ${pair.fromId} → ${pair.toId}: ${why}`, {
      crm: CRM,
      vendorCode: 'OBJECT_NOT_FOUND',
    }),
  };
}

/** A whole-call refusal about the pairs (not about the connection): worth isolating. */
function isPairLevel(err: unknown): err is CrmError {
  return (
    err instanceof CrmErrorBase && !err.retryable && (err.code === 'VALIDATION' || err.code === 'NOT_FOUND')
  );
}

async function sendIsolating(
  api: HubSpotApi,
  from: CrmObject,
  to: CrmObject,
  op: Op,
  group: Pending[],
  results: (WriteResult | undefined)[],
): Promise<void> {
  try {
    await send(api, from, to, op, group, results);
  } catch (err) {
    if (!isPairLevel(err)) throw err;
    if (group.length === 1) {
      const only = group[0] as Pending;
      results[only.index] = pairFailure(op, only.pair, err);
      return;
    }
    const mid = Math.ceil(group.length / 2);
    for (const half of [group.slice(0, mid), group.slice(mid)]) {
      await sendIsolating(api, from, to, op, half, results);
    }
  }
}

/** An unlink refused because a record is unknown has nothing to remove: done. */
function pairFailure(op: Op, pair: LinkPair, err: CrmError): WriteResult {
  if (op === 'archive' && err.code === 'NOT_FOUND') return ok(pair);
  return { ref: pair.ref, ok: false, error: err };
}

/**
 * A per-input error's class: `OBJECT_NOT_FOUND` is a missing record. The documentation names no
 * category for association inputs, so a VALIDATION_ERROR whose subCategory speaks of invalid object
 * ids is read the same way.
 */
function pairError(e: HsStandardError): CrmError {
  const err = batchItemError(e);
  if (err.code !== 'NOT_FOUND' && /INVALID_OBJECT_ID/i.test(e.subCategory ?? '')) {
    return new CrmNotFoundError(err.message, { crm: CRM, vendorCode: e.subCategory, details: err.details });
  }
  return err;
}

async function send(
  api: HubSpotApi,
  from: CrmObject,
  to: CrmObject,
  op: Op,
  group: Pending[],
  results: (WriteResult | undefined)[],
): Promise<void> {
  const inputs =
    op === 'archive'
      ? group.map((p) => ({ from: { id: p.pair.fromId }, to: [{ id: p.pair.toId }] }))
      : group.map((p) => ({ from: { id: p.pair.fromId }, to: { id: p.pair.toId } }));
  const res = await api.http.request<HsBatchResponse<{ from?: { id?: unknown }; to?: { id?: unknown } }>>({
    method: 'POST',
    url: PATHS.associationsBatch(from, to, op),
    json: { inputs },
    // Linking a linked pair and unlinking an unlinked one change nothing: safe to resend.
    idempotent: true,
  });
  const body = res.body;
  const open = new Set(group);
  const settle = (p: Pending, r: WriteResult): void => {
    if (!open.delete(p)) return;
    results[p.index] = r;
  };
  for (const e of body?.errors ?? []) {
    const err = pairError(e);
    for (const p of errorTargets(group, open, e)) settle(p, pairFailure(op, p.pair, err));
  }
  if (op === 'archive') {
    // 204 without a body, or results that are not pairs (the reference types them as unknown): every
    // input not named by an error was removed.
    for (const p of [...open]) settle(p, ok(p.pair));
    return;
  }
  for (const r of body?.results ?? []) {
    const fromId = String(r.from?.id ?? '');
    const toId = String(r.to?.id ?? '');
    const p = group.find((x) => open.has(x) && x.pair.fromId === fromId && x.pair.toId === toId);
    if (p) settle(p, ok(p.pair));
  }
  // An answer without errors that left inputs unanswered: a whole-call 2xx means HubSpot applied them.
  const first = body?.errors?.[0];
  for (const p of [...open]) {
    if (first) settle(p, pairFailure(op, p.pair, pairError(first)));
    else settle(p, ok(p.pair));
  }
}

/**
 * The inputs a per-input error names. `context` lists ids per side (`fromObjectId`, `toObjectId`) or
 * without a side (`ids`); an error naming both sides names the pairs that match both.
 */
function errorTargets(group: Pending[], open: Set<Pending>, e: HsStandardError): Pending[] {
  const ctx = e.context ?? {};
  const list = (...keys: string[]): Set<string> | null => {
    const values = keys.flatMap((k) => ctx[k] ?? []);
    return values.length > 0 ? new Set(values.map(String)) : null;
  };
  const fromIds = list('fromObjectId', 'fromObjectIds', 'fromId');
  const toIds = list('toObjectId', 'toObjectIds', 'toId');
  const anyIds = list('ids', 'id', 'objectIds');
  return group.filter((p) => {
    if (!open.has(p)) return false;
    const { fromId, toId } = p.pair;
    if (fromIds && toIds) return fromIds.has(fromId) && toIds.has(toId);
    if (fromIds) return fromIds.has(fromId);
    if (toIds) return toIds.has(toId);
    if (anyIds) return anyIds.has(fromId) || anyIds.has(toId);
    return false;
  });
}
