import { CrmValidationError } from '../../errors';
import { type CrmObject, type LinkPair, type WriteResult } from '../types';
import { type DynamicsApi } from './api-context';
import { type BatchResponsePart, sendBatch } from './batch';
import { CRM, TABLES } from './dynamics.constants';
import { dataverseError } from './errors';
import { skipTokenOf } from './list';
import { isGuid, odataString, webApiRequest } from './webapi';
import { type WireCollection } from './wire.types';

/**
 * Deal ↔ contact through the opportunity's `parentcontactid` lookup (docs/vendors/dynamics.md
 * "Tables"): a deal has at most one contact, a contact any number of deals. Reads filter opportunities
 * by id or by contact (`filterBy`), paged to the end; writes set the lookup through
 * `parentcontactid@odata.bind` in one `$batch` (continue-on-error). Connection roles are not read.
 */

const CONTACT_LOOKUP = 'parentcontactid';
const CONTACT_VALUE = `_${CONTACT_LOOKUP}_value`;

/**
 * The filter matching opportunities by id (`In` on the key), or by contact: a lookup is filtered as its
 * `_<name>_value` property with unquoted GUIDs (docs/vendors/dynamics.md "Querying"), OR'd — whether
 * `In` takes a lookup's name is not documented.
 */
function filterBy(by: 'deal' | 'contact', ids: readonly string[]): string {
  if (by === 'deal') {
    return `Microsoft.Dynamics.CRM.In(PropertyName=${odataString(TABLES.deal.key)},PropertyValues=[${ids.map(odataString).join(',')}])`;
  }
  return ids.map((id) => `${CONTACT_VALUE} eq ${id}`).join(' or ');
}

/** Opportunity rows by id or by contact, with their contact, every page. */
async function opportunitiesBy(
  api: DynamicsApi,
  by: 'deal' | 'contact',
  ids: readonly string[],
): Promise<{ deal: string; contact: string | null }[]> {
  const out: { deal: string; contact: string | null }[] = [];
  let skip: string | null = null;
  do {
    const res: { body: WireCollection | null } = await webApiRequest<WireCollection>(api, {
      method: 'GET',
      resource: TABLES.deal.set,
      query: {
        $select: `${TABLES.deal.key},${CONTACT_VALUE}`,
        $filter: filterBy(by, ids),
        ...(skip ? { $skiptoken: skip } : {}),
      },
      prefer: ['odata.maxpagesize=5000'],
    });
    for (const row of res.body?.value ?? []) {
      const contact = row[CONTACT_VALUE];
      out.push({
        deal: String(row[TABLES.deal.key]).toLowerCase(),
        contact: typeof contact === 'string' ? contact.toLowerCase() : null,
      });
    }
    skip = skipTokenOf(res.body?.['@odata.nextLink']);
  } while (skip);
  return out;
}

/**
 * The `to` ids of each asked id, every asked id a key (`[]` when it has none). One read per
 * `readBatch` ids, as `getRecords` (the contract's batch): each id adds some 70 characters to the
 * URL's filter, so an unbounded list would outgrow what servers take in a request line.
 */
export async function getAssociations(
  api: DynamicsApi,
  from: CrmObject,
  remoteIds: readonly string[],
  to: CrmObject,
): Promise<Map<string, string[]>> {
  const result = new Map<string, string[]>(remoteIds.map((id) => [id, []]));
  const ids = [...new Set(remoteIds.filter(isGuid).map((id) => id.toLowerCase()))];
  if (from === to || ids.length === 0) return result;
  const found = new Map<string, string[]>();
  for (let start = 0; start < ids.length; start += api.readBatch) {
    const rows = await opportunitiesBy(
      api,
      from === 'deal' ? 'deal' : 'contact',
      ids.slice(start, start + api.readBatch),
    );
    for (const { deal, contact } of rows) {
      if (!contact) continue;
      const [key, value] = from === 'deal' ? [deal, contact] : [contact, deal];
      found.set(key, [...(found.get(key) ?? []), value]);
    }
  }
  for (const id of remoteIds) result.set(id, found.get(id.toLowerCase()) ?? []);
  return result;
}

/** The contract's bound on one call (`ConnectorLimits.writeBatch`): more is refused, nothing written. */
function assertPairCount(api: DynamicsApi, pairs: readonly LinkPair[], op: string): void {
  if (pairs.length > api.writeBatch) {
    throw new CrmValidationError(
      `Dynamics 365 ${op} takes at most ${api.writeBatch} pairs per call; got ${pairs.length}`,
      { crm: CRM },
    );
  }
}

/** The pair as (deal, contact), whichever way the caller named it. */
function dealAndContact(from: CrmObject, pair: LinkPair): { deal: string; contact: string } {
  return from === 'deal'
    ? { deal: pair.fromId.toLowerCase(), contact: pair.toId.toLowerCase() }
    : { deal: pair.toId.toLowerCase(), contact: pair.fromId.toLowerCase() };
}

/**
 * Sets each deal's contact (one `$batch`): a deal already linked to that contact is set again, which
 * changes nothing. A missing deal or contact fails its pair alone.
 */
/** A pair's result from its part's answer (none: nothing had to be sent, a success). */
function pairResult(pair: LinkPair, part: BatchResponsePart | undefined): WriteResult {
  return part && part.status >= 300
    ? { ref: pair.ref, ok: false, error: dataverseError(part) }
    : { ref: pair.ref, ok: true, remoteId: pair.fromId, created: false };
}

export async function linkRecords(
  api: DynamicsApi,
  from: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  assertPairCount(api, pairs, 'linkRecords');
  const targets = pairs.map((p) => dealAndContact(from, p));
  const parts = await sendBatch(
    api,
    targets.map(({ deal, contact }) => ({
      method: 'PATCH',
      resource: `${TABLES.deal.set}(${deal})`,
      headers: { 'if-match': '*' },
      json: { [`${CONTACT_LOOKUP}@odata.bind`]: `/${TABLES.contact.set}(${contact})` },
    })),
  );
  return pairs.map((pair, i) => pairResult(pair, parts[i]));
}

/**
 * Clears the contact of each deal that is linked to the pair's contact — read first, so a deal linked
 * to another contact keeps it; a pair that is not linked (or names no row) is a success.
 */
export async function unlinkRecords(
  api: DynamicsApi,
  from: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  assertPairCount(api, pairs, 'unlinkRecords');
  const targets = pairs.map((p) => dealAndContact(from, p));
  const deals = [...new Set(targets.map((t) => t.deal).filter(isGuid))];
  const current = new Map(
    deals.length > 0 ? (await opportunitiesBy(api, 'deal', deals)).map((r) => [r.deal, r.contact]) : [],
  );
  const clear = [...new Set(targets.filter((t) => current.get(t.deal) === t.contact).map((t) => t.deal))];
  const parts = await sendBatch(
    api,
    clear.map((deal) => ({
      method: 'PATCH',
      resource: `${TABLES.deal.set}(${deal})`,
      headers: { 'if-match': '*' },
      json: { [`${CONTACT_LOOKUP}@odata.bind`]: null },
    })),
  );
  const answers = new Map(clear.map((deal, i) => [deal, parts[i]]));
  // A deal gone since it was read has nothing left to unlink.
  return pairs.map((pair, i) => {
    const part = answers.get(targets[i].deal);
    return pairResult(pair, part?.status === 404 ? undefined : part);
  });
}
