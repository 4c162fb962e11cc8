import { CrmValidationError } from '../../errors';
import { type CrmObject, type LinkPair, type WriteResult } from '../types';
import { type DynamicsApi } from './api-context';
import { type DealLink, readLinks } from './association-reads';
import { type BatchRequest, type BatchResponsePart, sendBatch } from './batch';
import { CRM, TABLES } from './dynamics.constants';
import { dataverseError } from './errors';
import { isGuid } from './webapi';

/**
 * Deal ↔ contact (docs/vendors/dynamics.md "Tables", "Connections"): the opportunity's
 * `parentcontactid` lookup — its one primary contact — and connections between the opportunity and
 * contacts, which is how Dataverse holds more contacts on a deal (the stakeholders). Reads take both
 * (`association-reads.ts`); a link sets `parentcontactid` on a deal that has none, and connects the
 * contact otherwise; an unlink clears the lookup and deletes the connections that join the pair.
 * Writes go in one `$batch` (continue-on-error) after one read of what the deals hold.
 */

const CONTACT_BIND = 'parentcontactid@odata.bind';

/**
 * The `to` ids of each asked id, every asked id a key (`[]` when it has none). One `$batch` per
 * `readBatch` ids, as `getRecords` (the contract's batch): each id adds some 70 characters to a
 * filter, so an unbounded list would outgrow what servers take in a request line.
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
  const found = new Map<string, Set<string>>();
  for (let start = 0; start < ids.length; start += api.readBatch) {
    const { links } = await readLinks(api, from, ids.slice(start, start + api.readBatch));
    for (const { deal, contact } of links) {
      const [key, value] = from === 'deal' ? [deal, contact] : [contact, deal];
      found.set(key, (found.get(key) ?? new Set()).add(value));
    }
  }
  for (const id of remoteIds) result.set(id, [...(found.get(id.toLowerCase()) ?? [])]);
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

/** A pair's result from its parts' answers (none: nothing had to be sent). A 404 in `gone` is a success. */
function pairResult(pair: LinkPair, parts: readonly BatchResponsePart[], gone = false): WriteResult {
  const failed = parts.find((p) => p.status >= 300 && !(gone && p.status === 404));
  return failed
    ? { ref: pair.ref, ok: false, error: dataverseError(failed) }
    : { ref: pair.ref, ok: true, remoteId: pair.fromId, created: false };
}

/** What the asked deals hold, read once for a write. */
async function linksOfDeals(api: DynamicsApi, deals: readonly string[]) {
  const known = [...new Set(deals.filter(isGuid))];
  return known.length > 0 ? readLinks(api, 'deal', known) : null;
}

/** A link write's pairs as (deal, contact), checked against the batch size, and the links their deals hold now. */
async function pairsAndLinks(api: DynamicsApi, from: CrmObject, pairs: readonly LinkPair[], op: string) {
  assertPairCount(api, pairs, op);
  const targets = pairs.map((p) => dealAndContact(from, p));
  const held = await linksOfDeals(
    api,
    targets.map((t) => t.deal),
  );
  return { targets, held };
}

const pairKey = (deal: string, contact: string) => `${deal}|${contact}`;

/**
 * Links each pair unless it already is (a success: the engine may resend): the deal's
 * `parentcontactid` when it has none, else a connection from the deal to the contact. A deal or
 * contact that does not exist fails its pair alone (the part's 404).
 */
export async function linkRecords(
  api: DynamicsApi,
  from: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const { targets, held } = await pairsAndLinks(api, from, pairs, 'linkRecords');
  const linked = new Set(held?.links.map((l) => pairKey(l.deal, l.contact)));
  // A deal not read (it may not exist) is sent a PATCH: its 404 names the missing deal.
  const noPrimary = new Set(targets.filter((t) => !held?.found.has(t.deal)).map((t) => t.deal));
  for (const deal of held?.noPrimary ?? []) noPrimary.add(deal);
  const requests: BatchRequest[] = [];
  const partOf = new Map<string, number>();
  for (const { deal, contact } of targets) {
    const key = pairKey(deal, contact);
    if (linked.has(key) || partOf.has(key)) continue;
    partOf.set(key, requests.length);
    const contactRef = `/${TABLES.contact.set}(${contact})`;
    if (noPrimary.delete(deal)) {
      requests.push({
        method: 'PATCH',
        resource: `${TABLES.deal.set}(${deal})`,
        headers: { 'if-match': '*' },
        json: { [CONTACT_BIND]: contactRef },
      });
    } else {
      requests.push({
        method: 'POST',
        resource: 'connections',
        json: {
          'record1id_opportunity@odata.bind': `/${TABLES.deal.set}(${deal})`,
          'record2id_contact@odata.bind': contactRef,
        },
      });
    }
  }
  const parts = await sendBatch(api, requests);
  return pairs.map((pair, i) => {
    const n = partOf.get(pairKey(targets[i]!.deal, targets[i]!.contact));
    return pairResult(pair, n === undefined ? [] : [parts[n]!]);
  });
}

/** The request that undoes one link: clear the lookup, or delete the connection (its reciprocal goes with it). */
function unlinkRequest(link: DealLink): BatchRequest {
  return link.connection
    ? { method: 'DELETE', resource: `connections(${link.connection})` }
    : {
        method: 'PATCH',
        resource: `${TABLES.deal.set}(${link.deal})`,
        headers: { 'if-match': '*' },
        json: { [CONTACT_BIND]: null },
      };
}

/**
 * Removes every link that joins each pair — read first, so a deal's other contacts keep theirs; a pair
 * that is not linked (or names no row) is a success, as is a link gone since it was read.
 */
export async function unlinkRecords(
  api: DynamicsApi,
  from: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const { targets, held } = await pairsAndLinks(api, from, pairs, 'unlinkRecords');
  const byPair = new Map<string, DealLink[]>();
  for (const link of held?.links ?? []) {
    const key = pairKey(link.deal, link.contact);
    byPair.set(key, [...(byPair.get(key) ?? []), link]);
  }
  const requests: BatchRequest[] = [];
  const partsOf = new Map<string, number[]>();
  for (const { deal, contact } of targets) {
    const key = pairKey(deal, contact);
    if (partsOf.has(key)) continue;
    const links = byPair.get(key) ?? [];
    partsOf.set(
      key,
      links.map((link) => requests.push(unlinkRequest(link)) - 1),
    );
  }
  const parts = await sendBatch(api, requests);
  return pairs.map((pair, i) => {
    const indexes = partsOf.get(pairKey(targets[i]!.deal, targets[i]!.contact)) ?? [];
    return pairResult(
      pair,
      indexes.map((n) => parts[n]!),
      true,
    );
  });
}
