import { type SaveResult } from 'jsforce';
import { CrmNotFoundError, CrmValidationError } from '../../errors';
import { type CrmObject, type LinkPair, type WriteResult } from '../types';
import { type SalesforceApi } from './api-context';
import { recordError } from './errors';
import { queryAllPages } from './query';
import { isRecordId, soqlIdList } from './soql';
import { type WireSaveResult } from './wire.types';

/**
 * Contact ↔ deal links written as OpportunityContactRole rows, ≤ `writeBatch` pairs per call
 * (docs/vendors/salesforce.md "Contact roles"):
 *
 * - link: ONE query for the roles of the pairs' opportunities, then ONE sObject Collections POST
 *   (`allOrNone: false`) creating a role (`ContactId`, `OpportunityId`, no `Role`) for each pair that
 *   has none. A pair already holding a role is linked: a success, with no call (idempotent);
 * - unlink: the same query, then ONE Collections DELETE of every role of the pairs (a contact may hold
 *   several on one opportunity: all go). A pair with no role is not linked: a success.
 *
 * A pair naming a record Salesforce does not have fails alone, NOT_FOUND: Salesforce refuses the role
 * with `INVALID_CROSS_REFERENCE_KEY` (or `ENTITY_IS_DELETED`; `FIELD_INTEGRITY_EXCEPTION` for an id of
 * another object, which stays as Salesforce typed it), and an id of another object's prefix
 * (contacts are `003`, opportunities `006`) is refused here without a call.
 */

const ROLE = 'OpportunityContactRole';
/** Per-record codes that mean "a record of the pair is not there". */
const MISSING = new Set([
  'INVALID_CROSS_REFERENCE_KEY',
  'ENTITY_IS_DELETED',
  'INVALID_ID_FIELD',
  'NOT_FOUND',
]);
const PREFIX: Readonly<Record<CrmObject, string>> = { contact: '003', deal: '006' };

interface Side {
  index: number;
  pair: LinkPair;
  contactId: string;
  opportunityId: string;
}

/** 15-character form: callers may hold either, answers carry 18. */
const key15 = (id: string): string => id.slice(0, 15);
const pairKey = (contactId: string, opportunityId: string): string =>
  `${key15(contactId)}:${key15(opportunityId)}`;

export async function linkRecords(
  api: SalesforceApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const { results, sides } = prepare(api, from, to, pairs, 'link');
  if (sides.length === 0) return results as WriteResult[];
  const roles = await existingRoles(api, sides);
  const missing = new Map<string, Side[]>();
  for (const s of sides) {
    const k = pairKey(s.contactId, s.opportunityId);
    if (roles.has(k)) results[s.index] = ok(s.pair);
    else missing.set(k, [...(missing.get(k) ?? []), s]);
  }
  const toCreate = [...missing.values()];
  if (toCreate.length > 0) {
    const saved = (await api.conn.create(
      ROLE,
      toCreate.map(([s]) => ({ ContactId: s!.contactId, OpportunityId: s!.opportunityId })),
      { allOrNone: false },
    )) as SaveResult[];
    toCreate.forEach((group, i) => {
      const r = saved[i] as WireSaveResult | undefined;
      for (const s of group) results[s.index] = r?.success ? ok(s.pair) : failure(api, s.pair, r);
    });
  }
  return results as WriteResult[];
}

export async function unlinkRecords(
  api: SalesforceApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const { results, sides } = prepare(api, from, to, pairs, 'unlink');
  if (sides.length === 0) return results as WriteResult[];
  const roles = await existingRoles(api, sides);
  const deletions: { roleId: string; sides: Side[] }[] = [];
  const byRole = new Map<string, Side[]>();
  for (const s of sides) {
    const ids = roles.get(pairKey(s.contactId, s.opportunityId)) ?? [];
    if (ids.length === 0) {
      results[s.index] = ok(s.pair);
      continue;
    }
    for (const id of ids) byRole.set(id, [...(byRole.get(id) ?? []), s]);
  }
  for (const [roleId, of] of byRole) deletions.push({ roleId, sides: of });
  const failedBy = new Map<number, WriteResult>();
  for (let i = 0; i < deletions.length; i += api.writeBatch) {
    const chunk = deletions.slice(i, i + api.writeBatch);
    const saved = (await api.conn.destroy(
      ROLE,
      chunk.map((d) => d.roleId),
      { allOrNone: false },
    )) as SaveResult[];
    chunk.forEach((d, j) => {
      const r = saved[j] as WireSaveResult | undefined;
      const gone = r?.success || r?.errors?.some((e) => MISSING.has(e.statusCode));
      if (gone) return;
      for (const s of d.sides) failedBy.set(s.index, failure(api, s.pair, r));
    });
  }
  for (const d of deletions) for (const s of d.sides) results[s.index] = failedBy.get(s.index) ?? ok(s.pair);
  return results as WriteResult[];
}

/** The pairs as (contact, opportunity), checked; those that cannot name records get their result here. */
function prepare(
  api: SalesforceApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
  what: 'link' | 'unlink',
): { results: (WriteResult | undefined)[]; sides: Side[] } {
  if (from === to) {
    throw new CrmValidationError(`Salesforce links contacts to deals only, got ${from} → ${to}`, {
      crm: api.crm,
    });
  }
  if (pairs.length > api.writeBatch) {
    throw new CrmValidationError(
      `Salesforce ${what}Records takes at most ${api.writeBatch} pairs per call; got ${pairs.length}`,
      { crm: api.crm },
    );
  }
  const results: (WriteResult | undefined)[] = new Array<WriteResult | undefined>(pairs.length);
  const sides: Side[] = [];
  pairs.forEach((pair, index) => {
    const [contactId, opportunityId] =
      from === 'contact' ? [pair.fromId, pair.toId] : [pair.toId, pair.fromId];
    const bad = [
      [contactId, 'contact'],
      [opportunityId, 'deal'],
    ].find(([id, obj]) => !isRecordId(id!) || !id!.startsWith(PREFIX[obj as CrmObject]));
    if (!bad) sides.push({ index, pair, contactId, opportunityId });
    else if (what === 'unlink') results[index] = ok(pair);
    else {
      results[index] = {
        ref: pair.ref,
        ok: false,
        error: new CrmNotFoundError(
          `Salesforce has no ${bad[1]} ${JSON.stringify(bad[0])} (not a ${SOBJECT[bad[1] as CrmObject]} id)`,
          { crm: api.crm, vendorCode: 'INVALID_CROSS_REFERENCE_KEY' },
        ),
      };
    }
  });
  return { results, sides };
}

const SOBJECT: Readonly<Record<CrmObject, string>> = { contact: 'Contact', deal: 'Opportunity' };

/** Role ids by (contact, opportunity): ONE query on the pairs' opportunities (locators followed). */
async function existingRoles(api: SalesforceApi, sides: readonly Side[]): Promise<Map<string, string[]>> {
  const opportunities = [...new Set(sides.map((s) => s.opportunityId))];
  const rows = await queryAllPages(
    api,
    `SELECT Id, ContactId, OpportunityId FROM ${ROLE} WHERE OpportunityId IN ${soqlIdList(opportunities)}`,
  );
  const out = new Map<string, string[]>();
  for (const row of rows) {
    const { Id: id, ContactId: c, OpportunityId: o } = row;
    if (typeof id !== 'string' || typeof c !== 'string' || typeof o !== 'string') continue;
    const k = pairKey(c, o);
    out.set(k, [...(out.get(k) ?? []), id]);
  }
  return out;
}

function ok(pair: LinkPair): WriteResult {
  return { ref: pair.ref, ok: true, remoteId: pair.fromId, created: false };
}

/** A refused role: NOT_FOUND when a record of the pair is missing, else as any record's error. */
function failure(api: SalesforceApi, pair: LinkPair, r: WireSaveResult | undefined): WriteResult {
  const errors = r?.errors ?? [{ statusCode: 'MISSING_RESULT', message: 'no result for this pair' }];
  const err = recordError(errors, api.crm);
  if (err.code !== 'NOT_FOUND' && errors.some((e) => MISSING.has(e.statusCode))) {
    return {
      ref: pair.ref,
      ok: false,
      error: new CrmNotFoundError(err.message.replace('the record', 'the contact role'), {
        crm: api.crm,
        vendorCode: err.vendorCode,
        details: err.details,
      }),
    };
  }
  return { ref: pair.ref, ok: false, error: err };
}
