import { CrmNotFoundError, CrmValidationError } from '../../errors';
import { assertBatchSize } from '../batch-size';
import { type CrmObject, type LinkPair, type WriteResult } from '../types';
import { type ZohoApi } from './api-context';
import { coql } from './coql';
import { ENDPOINT } from './declaration';
import { isRecordId, writeItems, zohoRequest } from './request';
import { readByIds } from './records';
import { resultOf } from './write-results';
import { CRM, MAX_COQL_IN, MAX_COQL_LIMIT, MAX_IDS, MAX_PER_PAGE, PATHS } from './zoho.constants';
import { type ZohoPage, type ZohoRecord, type ZohoResultItem } from './wire.types';

/**
 * Deal ↔ contact (docs/vendors/zoho.md "Connector: deal contacts"). A deal's contact is its
 * `Contact_Name` lookup; with the connection setting `dealContactRoles`, its contact roles too. Deal →
 * contacts reads 100 deals per call, plus one `GET /Deals/{id}/Contact_Roles` per deal with roles;
 * contact → deals is one COQL query per 50 contacts (`Contact_Name in (…)`), plus with roles one
 * `GET /Contacts/{id}/Deals` (the related list) per contact — no Zoho call reads the roles of many
 * contacts or deals at once.
 */

export async function getAssociations(
  api: ZohoApi,
  from: CrmObject,
  remoteIds: readonly string[],
  to: CrmObject,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(remoteIds.map((id) => [id, []]));
  if (from === to) return out;
  const ids = [...new Set(remoteIds.filter(isRecordId))];
  if (from === 'deal') {
    for (let i = 0; i < ids.length; i += MAX_IDS) {
      for (const deal of await readByIds(api, 'deal', ids.slice(i, i + MAX_IDS))) {
        const primary = deal.fields.Contact_Name;
        const contacts = typeof primary === 'string' ? [primary] : [];
        if (api.settings.dealContactRoles) contacts.push(...(await roleContacts(api, deal.remoteId)));
        out.set(deal.remoteId, [...new Set(contacts)]);
      }
    }
    return out;
  }
  for (let i = 0; i < ids.length; i += MAX_COQL_IN) {
    const chunk = ids.slice(i, i + MAX_COQL_IN);
    for (const row of await dealsOfContacts(api, chunk)) {
      const contact = (row.Contact_Name as { id?: unknown } | null | undefined)?.id;
      if (typeof contact === 'string' && out.has(contact)) out.get(contact)!.push(String(row.id));
    }
  }
  // Roles name no deals of many contacts at once: the contact's `Deals` related list, one contact a call.
  if (api.settings.dealContactRoles) {
    for (const contact of ids) {
      const deals = out.get(contact)!;
      out.set(contact, [...new Set([...deals, ...(await relatedDeals(api, contact))])]);
    }
  }
  return out;
}

/**
 * The deals of a contact's `Deals` related list (`GET /Contacts/{id}/Deals`, 200 a page): those it holds
 * a contact role in, and its `Contact_Name` deals too (docs/vendors/zoho.md "Connector: deal contacts").
 */
async function relatedDeals(api: ZohoApi, contact: string): Promise<string[]> {
  const deals: string[] = [];
  for (let page = 1; ; page++) {
    const res = await zohoRequest<ZohoPage>(api, ENDPOINT.read, {
      method: 'GET',
      url: PATHS.contactDeals(contact),
      query: { fields: 'id', page: String(page), per_page: String(MAX_PER_PAGE) },
    });
    for (const row of res.data ?? []) if (typeof row.id === 'string') deals.push(row.id);
    if (res.info?.more_records !== true || (res.data ?? []).length === 0) return deals;
  }
}

/** Every deal whose `Contact_Name` is one of `contacts` (≤ 50), paged by keyset on the deal id. */
async function dealsOfContacts(api: ZohoApi, contacts: readonly string[]): Promise<ZohoRecord[]> {
  const rows: ZohoRecord[] = [];
  const list = contacts.map((id) => `'${id}'`).join(', ');
  let after: string | null = null;
  for (;;) {
    const page = await coql(api, {
      fields: ['id', 'Contact_Name'],
      module: 'Deals',
      where: after ? `(Contact_Name in (${list}) and id > '${after}')` : `Contact_Name in (${list})`,
      orderBy: 'id asc',
      limit: MAX_COQL_LIMIT,
    });
    rows.push(...page.rows);
    const last = page.rows.at(-1);
    if (!page.more || !last || page.rows.length < MAX_COQL_LIMIT) return rows;
    after = String(last.id);
  }
}

/** The contacts of a deal's contact roles. */
async function roleContacts(api: ZohoApi, deal: string): Promise<string[]> {
  const res = await zohoRequest<ZohoPage>(api, ENDPOINT.read, {
    method: 'GET',
    url: PATHS.contactRoles(deal),
    query: { fields: 'Last_Name,Email' },
  });
  return (res.data ?? []).flatMap((r) => (typeof r.id === 'string' ? [r.id] : []));
}

/** The pair as (deal, contact), whichever way round the caller named it. */
function dealAndContact(from: CrmObject, pair: LinkPair): { deal: string; contact: string } {
  return from === 'deal'
    ? { deal: pair.fromId, contact: pair.toId }
    : { deal: pair.toId, contact: pair.fromId };
}

/** Each pair as (deal, contact), after checking the batch links contacts and deals and fits one call. */
function dealsAndContacts(
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): { deal: string; contact: string }[] {
  if (from === to)
    throw new CrmValidationError(`${CRM} links contacts and deals, got ${from} → ${to}`, { crm: CRM });
  assertBatchSize(CRM, 'a link or unlink', pairs.length, MAX_IDS);
  return pairs.map((p) => dealAndContact(from, p));
}

const done = (pair: LinkPair): WriteResult => ({
  ref: pair.ref,
  ok: true,
  remoteId: pair.fromId,
  created: false,
});

/** A link's outcome from the deal update's item: on success, named by the pair's `fromId`. */
function linkResult(pair: LinkPair, item: ZohoResultItem | undefined): WriteResult {
  const result = resultOf(pair.ref, item, pair.fromId);
  return result.ok ? done(pair) : result;
}

function missing(pair: LinkPair, what: string): WriteResult {
  return { ref: pair.ref, ok: false, error: new CrmNotFoundError(`${CRM} has no ${what}`, { crm: CRM }) };
}

/** `Contact_Name` of each live deal among `ids` (null: none set); absent: Zoho has no such deal. */
async function primaryContacts(api: ZohoApi, ids: readonly string[]): Promise<Map<string, string | null>> {
  const deals = await readByIds(api, 'deal', ids);
  return new Map(
    deals.map((d) => [d.remoteId, typeof d.fields.Contact_Name === 'string' ? d.fields.Contact_Name : null]),
  );
}

/** Sets (or clears) `Contact_Name` of deals in one update call; one item per deal, in order. */
async function setContacts(
  api: ZohoApi,
  updates: { deal: string; contact: string | null }[],
): Promise<ZohoResultItem[]> {
  if (updates.length === 0) return [];
  return writeItems(api, {
    method: 'PUT',
    url: PATHS.module('deal'),
    json: { data: updates.map((u) => ({ id: u.deal, Contact_Name: u.contact ? { id: u.contact } : null })) },
  });
}

/**
 * Links each pair: a deal with no `Contact_Name` (or, without `dealContactRoles`, another one) gets the
 * contact there; with `dealContactRoles`, a deal whose `Contact_Name` is another contact gets the
 * contact as a contact role (the setting's `contactRole`). Both records are read first (one call each
 * for the whole batch), so a missing one fails its pair NOT_FOUND and a pair already linked costs no
 * write; the `Contact_Name` changes go in one update call with per-deal outcomes.
 */
export async function linkRecords(
  api: ZohoApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const split = dealsAndContacts(from, to, pairs);
  const [deals, contacts] = await Promise.all([
    primaryContacts(
      api,
      split.map((s) => s.deal),
    ),
    readByIds(
      api,
      'contact',
      split.map((s) => s.contact),
    ),
  ]);
  const liveContacts = new Set(contacts.map((c) => c.remoteId));
  let role: string | undefined;
  const results: (WriteResult | null)[] = [];
  const updates: { index: number; deal: string; contact: string }[] = [];
  for (const [i, pair] of pairs.entries()) {
    const { deal, contact } = split[i]!;
    const primary = deals.get(deal);
    if (primary === undefined) results.push(missing(pair, `deal ${deal.slice(0, 40)}`));
    else if (!liveContacts.has(contact)) results.push(missing(pair, `contact ${contact.slice(0, 40)}`));
    else if (primary === contact) results.push(done(pair));
    else if (primary !== null && api.settings.dealContactRoles) {
      role ??= await roleId(api);
      await addContactRole(api, deal, contact, role);
      results.push(done(pair));
    } else {
      updates.push({ index: i, deal, contact });
      results.push(null);
    }
  }
  const items = await setContacts(api, updates);
  for (const [k, u] of updates.entries()) results[u.index] = linkResult(pairs[u.index]!, items[k]);
  return results.map((r) => r!);
}

/**
 * The id of the role a link adds: the role definition named by `settings.contactRole`, else the first
 * one the org defines (`GET /settings/contact_roles`, read once per link batch that needs it).
 */
async function roleId(api: ZohoApi): Promise<string> {
  const res = await zohoRequest<{ contact_roles: { id?: string; name?: string }[] }>(api, ENDPOINT.read, {
    method: 'GET',
    url: PATHS.contactRoleDefinitions,
  });
  const roles = (res.contact_roles ?? []).filter((r) => typeof r.id === 'string');
  const wanted = api.settings.contactRole;
  const role = wanted ? roles.find((r) => r.name === wanted) : roles[0];
  if (!role?.id) {
    throw new CrmValidationError(
      `${CRM} has no contact role ${wanted ? JSON.stringify(wanted) : '(the org defines none)'} to link a contact to a deal with`,
      { crm: CRM },
    );
  }
  return role.id;
}

/** Adds the contact to the deal with the role (the role is mandatory), one call per pair. */
async function addContactRole(api: ZohoApi, deal: string, contact: string, role: string): Promise<void> {
  const [item] = await writeItems(api, {
    method: 'PUT',
    url: PATHS.contactRole(deal, contact),
    json: { data: [{ Contact_Role: { id: role } }] },
  });
  const result = resultOf(contact, item, contact);
  if (!result.ok) throw result.error;
}

/**
 * Clears `Contact_Name` where it names the pair's contact (one update call for the batch), and with
 * `dealContactRoles` removes the contact's role on the deal. A pair not linked, or gone, is done.
 */
export async function unlinkRecords(
  api: ZohoApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const split = dealsAndContacts(from, to, pairs);
  const deals = await primaryContacts(
    api,
    split.map((s) => s.deal),
  );
  const updates = split.flatMap((s, index) =>
    deals.get(s.deal) === s.contact ? [{ index, deal: s.deal, contact: null }] : [],
  );
  if (api.settings.dealContactRoles) {
    for (const s of split)
      if (deals.has(s.deal) && isRecordId(s.contact))
        await api.http
          .request({ method: 'DELETE', url: PATHS.contactRole(s.deal, s.contact), endpoint: ENDPOINT.write })
          .catch((err: unknown) => {
            if (!(err instanceof CrmNotFoundError || err instanceof CrmValidationError)) throw err;
          });
  }
  const items = await setContacts(api, updates);
  const results: WriteResult[] = pairs.map(done);
  for (const [k, u] of updates.entries()) results[u.index] = linkResult(pairs[u.index]!, items[k]);
  return results;
}
