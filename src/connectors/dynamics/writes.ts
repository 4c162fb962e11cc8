import { CrmNotFoundError, CrmValidationError } from '../../errors';
import { type CrmObject, type NativeValue, type RecordWrite, type WriteResult } from '../types';
import { type DynamicsApi } from './api-context';
import { type BatchRequest, type BatchResponsePart, sendBatch } from './batch';
import { CRM, CURRENCY_CODE_PATH, TABLES } from './dynamics.constants';
import { dataverseError } from './errors';
import { isGuid, odataString } from './webapi';

/**
 * Writes coalesced into `$batch` with continue-on-error (`batch.ts`): one part per record, one
 * {@link WriteResult} per record in order (docs/vendors/dynamics.md "Creating and updating rows",
 * "Upsert"):
 * - an update (`remoteId`): `PATCH <set>(<id>)` with `If-Match: *`, so a missing row is a 404 and
 *   never a create;
 * - an upsert by key (`externalId`): `PATCH <set>(<column>='<value>')`, which creates (201) or
 *   updates (200) — retry-safe, unlike a create;
 * - a create: `POST <set>`.
 * All with `Prefer: return=representation` and `$select=<key>`, so the answer names the row and says
 * whether it was created. Deals won or lost (`statecode` 1 or 2) are closed afterwards, in a second
 * `$batch`, through WinOpportunity / LoseOpportunity (docs/vendors/dynamics.md "Opportunities"):
 * Dataverse refuses setting those states by PATCH. `statecode` 0 stays in the PATCH (it reopens).
 */

/** The deal's currency lookup, the navigation property of {@link CURRENCY_CODE_PATH}. */
const CURRENCY_LOOKUP = CURRENCY_CODE_PATH.split('.')[0];

/** Choice columns the mapping writes as their option value's text ("0"), which Dataverse takes as integers. */
const CHOICE_COLUMNS = new Set(['statecode', 'statuscode', 'salesstage']);

/** Opportunity close actions and the status each sets (3 Won; 4 Canceled, the first Lost status). */
const CLOSE_ACTIONS = {
  '1': { action: 'WinOpportunity', status: 3 },
  '2': { action: 'LoseOpportunity', status: 4 },
} as const;

type CloseState = keyof typeof CLOSE_ACTIONS;

/** The JSON body of one write, and the close action it asks for. Pure. */
export function writeBody(
  obj: CrmObject,
  fields: Readonly<Record<string, NativeValue>>,
): { body: Record<string, NativeValue>; close?: CloseState } {
  const body: Record<string, NativeValue> = {};
  let close: CloseState | undefined;
  for (const [name, value] of Object.entries(fields)) {
    if (name === CURRENCY_CODE_PATH && typeof value === 'string') {
      // The currency row by its alternate key (docs/vendors/dynamics.md "Rows and keys").
      body[`${CURRENCY_LOOKUP}@odata.bind`] = `/transactioncurrencies(isocurrencycode=${odataString(value)})`;
      continue;
    }
    // Any other dotted path reads through a lookup; it is not a column of this row.
    if (name.includes('.')) continue;
    const numeric = CHOICE_COLUMNS.has(name) && typeof value === 'string' && /^-?\d+$/.test(value);
    const wire = numeric ? Number(value) : value;
    if (obj === 'deal' && name === 'statecode' && (String(wire) === '1' || String(wire) === '2')) {
      close = String(wire) as CloseState;
      continue;
    }
    body[name] = wire;
  }
  return close ? { body, close } : { body };
}

function requestFor(obj: CrmObject, write: RecordWrite, body: Record<string, NativeValue>): BatchRequest {
  const { set, key } = TABLES[obj];
  const select = `?$select=${key}`;
  const headers = { prefer: 'return=representation' };
  if (write.remoteId) {
    return {
      method: 'PATCH',
      resource: `${set}(${write.remoteId})${select}`,
      headers: { ...headers, 'if-match': '*' },
      json: body,
    };
  }
  if (write.externalId) {
    const { field, value } = write.externalId;
    return {
      method: 'PATCH',
      resource: `${set}(${field}=${encodeURIComponent(odataString(value))})${select}`,
      headers,
      json: body,
    };
  }
  return { method: 'POST', resource: `${set}${select}`, headers, json: body };
}

/** The row id an answer names: the selected key, or the `OData-EntityId` header's `(<guid>)`. */
function idOf(obj: CrmObject, part: BatchResponsePart): string | null {
  const fromBody = (part.json as Record<string, unknown> | null)?.[TABLES[obj].key];
  if (typeof fromBody === 'string') return fromBody.toLowerCase();
  const m = /\(([0-9a-f-]{36})\)\s*$/i.exec(part.headers['odata-entityid'] ?? '');
  return m ? m[1].toLowerCase() : null;
}

function failed(ref: string, part: BatchResponsePart): WriteResult {
  return { ref, ok: false, error: dataverseError(part) };
}

export async function upsertRecords(
  api: DynamicsApi,
  obj: CrmObject,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const results: (WriteResult | undefined)[] = writes.map((w) =>
    w.remoteId !== undefined && !isGuid(w.remoteId)
      ? {
          ref: w.ref,
          ok: false,
          error: new CrmNotFoundError(`Dynamics 365 row ids are GUIDs, got ${JSON.stringify(w.remoteId)}`, {
            crm: CRM,
          }),
        }
      : undefined,
  );
  const pending = writes.flatMap((write, i) =>
    results[i] ? [] : [{ i, write, ...writeBody(obj, write.fields) }],
  );
  const parts = await sendBatch(
    api,
    pending.map((p) => requestFor(obj, p.write, p.body)),
  );
  const closes: { i: number; id: string; close: CloseState }[] = [];
  pending.forEach((p, n) => {
    const part = parts[n];
    if (part.status >= 300) {
      results[p.i] = failed(p.write.ref, part);
      return;
    }
    const id = idOf(obj, part);
    if (!id) {
      results[p.i] = {
        ref: p.write.ref,
        ok: false,
        error: new CrmValidationError(`Dynamics 365 answered HTTP ${part.status} without naming the row`, {
          crm: CRM,
          status: part.status,
        }),
      };
      return;
    }
    results[p.i] = { ref: p.write.ref, ok: true, remoteId: id, created: part.status === 201 };
    if (p.close) closes.push({ i: p.i, id, close: p.close });
  });
  await closeOpportunities(api, closes, results, writes);
  return results.map((r, i) => r ?? { ref: writes[i].ref, ok: false, error: missingResult() });
}

function missingResult(): CrmValidationError {
  return new CrmValidationError('Dynamics 365 write produced no result', { crm: CRM });
}

/** Wins or loses the written deals in one more `$batch`; a refusal replaces the record's result. */
async function closeOpportunities(
  api: DynamicsApi,
  closes: readonly { i: number; id: string; close: CloseState }[],
  results: (WriteResult | undefined)[],
  writes: readonly RecordWrite[],
): Promise<void> {
  const parts = await sendBatch(
    api,
    closes.map(({ id, close }) => ({
      method: 'POST',
      resource: CLOSE_ACTIONS[close].action,
      json: {
        Status: CLOSE_ACTIONS[close].status,
        OpportunityClose: {
          subject: close === '1' ? 'Won' : 'Lost',
          'opportunityid@odata.bind': `/${TABLES.deal.set}(${id})`,
        },
      },
    })),
  );
  closes.forEach(({ i }, n) => {
    if (parts[n].status >= 300) results[i] = failed(writes[i].ref, parts[n]);
  });
}

/**
 * Deletes in one `$batch`: `DELETE <set>(<id>)` per id, one result per id in order. A row that is
 * already gone (404) is a success: the engine may resend a delete.
 */
export async function deleteRecords(
  api: DynamicsApi,
  obj: CrmObject,
  remoteIds: readonly string[],
): Promise<WriteResult[]> {
  const { set } = TABLES[obj];
  const sendable = remoteIds.filter(isGuid);
  const parts = await sendBatch(
    api,
    sendable.map((id) => ({ method: 'DELETE', resource: `${set}(${id})` })),
  );
  const byId = new Map(sendable.map((id, n) => [id, parts[n]]));
  return remoteIds.map((id) => {
    const part = byId.get(id);
    if (part && part.status >= 300 && part.status !== 404) return failed(id, part);
    return { ref: id, ok: true, remoteId: id, created: false };
  });
}
