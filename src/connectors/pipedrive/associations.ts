import { CrmNotFoundError, CrmValidationError } from '../../errors';
import { type CrmObject, type LinkPair, type WriteResult } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { CRM, ENTITIES, MAX_IDS, MAX_PAGE_SIZE } from './pipedrive.constants';
import { personIdOf } from './mappers';
import { addParticipant, dealParticipants, removeParticipant } from './participants';
import { getOne } from './records';
import { isRecordId, pdRequest } from './request';
import { type PdRecord } from './wire.types';

/**
 * Deal ↔ person (docs/vendors/pipedrive.md "Connector: deal contacts"). By default through the deal's one
 * `person_id`: deal → person reads up to 100 deals per list call (`ids`); person → deals has no batch, one
 * deals list per person (`person_id=`), each counted as a list call. With the connection setting
 * `dealParticipants`, a deal's contacts are its `person_id` and its participants (one more v1 list per
 * deal, `participants.ts`), and links to a deal that already has a contact person go through the
 * participants. Person → deals stays the `person_id=` list: Pipedrive lists no person's participant deals.
 */

/** Linked ids for each id of `from`, in the shape `getAssociations` answers. */
export async function getAssociations(
  api: PipedriveApi,
  from: CrmObject,
  remoteIds: readonly string[],
  to: CrmObject,
): Promise<Map<string, string[]>> {
  const out = new Map<string, string[]>(remoteIds.map((id) => [id, []]));
  if (from === to) return out;
  const ids = [...new Set(remoteIds.filter(isRecordId))];
  if (from === 'deal') {
    for (let i = 0; i < ids.length; i += MAX_IDS) {
      const chunk = ids.slice(i, i + MAX_IDS);
      const page = await pdRequest<PdRecord[]>(api, ENDPOINT.list, {
        method: 'GET',
        url: ENTITIES.deal.collection,
        query: { ids: chunk.join(','), limit: MAX_IDS },
      });
      for (const deal of page.data ?? []) {
        const id = String(deal.id);
        if (!out.has(id) || !isRecordId(id)) continue;
        const person = personIdOf(deal.person_id);
        const contacts = person ? [person] : [];
        // Only deals Pipedrive has: a missing id costs no participants call.
        if (api.settings.dealParticipants)
          for (const a of await dealParticipants(api, id)) contacts.push(a.personId);
        out.set(id, [...new Set(contacts)]);
      }
    }
    return out;
  }
  for (const person of ids) out.set(person, await dealsOfPerson(api, person));
  return out;
}

async function dealsOfPerson(api: PipedriveApi, person: string): Promise<string[]> {
  const deals: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await pdRequest<PdRecord[]>(api, ENDPOINT.list, {
      method: 'GET',
      url: ENTITIES.deal.collection,
      query: { person_id: person, limit: MAX_PAGE_SIZE, cursor },
    });
    for (const deal of page.data ?? []) deals.push(String(deal.id));
    cursor = page.additional_data?.next_cursor ?? undefined;
  } while (cursor);
  return deals;
}

/** The pair as (deal, person), whichever way round the caller named it. */
function dealAndPerson(from: CrmObject, pair: LinkPair): { deal: string; person: string } {
  return from === 'deal'
    ? { deal: pair.fromId, person: pair.toId }
    : { deal: pair.toId, person: pair.fromId };
}

function done(pair: LinkPair): WriteResult {
  return { ref: pair.ref, ok: true, remoteId: pair.fromId, created: false };
}

function missing(pair: LinkPair, what: string): WriteResult {
  return { ref: pair.ref, ok: false, error: new CrmNotFoundError(`${CRM} has no ${what}`, { crm: CRM }) };
}

function checkPairs(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): void {
  if (from === to) {
    throw new CrmValidationError(`${CRM} links persons and deals, got ${from} → ${to}`, { crm: CRM });
  }
  if (pairs.length > 1) {
    throw new CrmValidationError(`${CRM} writes one link per call; got ${pairs.length}`, { crm: CRM });
  }
}

/**
 * Sets each deal's `person_id`. Both records are read first (a get each), so a missing one fails its
 * pair NOT_FOUND and a pair already linked costs no write. With `dealParticipants`, a deal that already
 * has another contact person keeps it and gains the person as a participant (unless already one).
 */
export async function linkRecords(
  api: PipedriveApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  checkPairs(from, to, pairs);
  const results: WriteResult[] = [];
  for (const pair of pairs) {
    const { deal, person } = dealAndPerson(from, pair);
    const [d, p] = await Promise.all([getOne(api, 'deal', deal), getOne(api, 'contact', person)]);
    if (!d || d.is_deleted === true) results.push(missing(pair, `deal ${deal.slice(0, 40)}`));
    else if (!p || p.is_deleted === true) results.push(missing(pair, `person ${person.slice(0, 40)}`));
    else {
      const primary = personIdOf(d.person_id);
      if (primary === null) await setPerson(api, deal, Number(person));
      else if (primary !== person) {
        if (!api.settings.dealParticipants) await setPerson(api, deal, Number(person));
        else if (!(await dealParticipants(api, deal)).some((a) => a.personId === person))
          await addParticipant(api, deal, person);
      }
      results.push(done(pair));
    }
  }
  return results;
}

/**
 * Clears `person_id` where it names the pair's person; a pair not linked (or gone) is already done. With
 * `dealParticipants`, the person's participant attachments go too — the contact person may be one of
 * them — after `person_id` is cleared, so no attachment of the contact person is removed while it is.
 */
export async function unlinkRecords(
  api: PipedriveApi,
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  checkPairs(from, to, pairs);
  const results: WriteResult[] = [];
  for (const pair of pairs) {
    const { deal, person } = dealAndPerson(from, pair);
    const d = await getOne(api, 'deal', deal);
    const live = d !== null && d.is_deleted !== true;
    if (live && personIdOf(d.person_id) === person) await setPerson(api, deal, null);
    if (live && api.settings.dealParticipants && isRecordId(person)) {
      for (const a of await dealParticipants(api, deal))
        if (a.personId === person) await removeParticipant(api, deal, a.attachmentId);
    }
    results.push(done(pair));
  }
  return results;
}

async function setPerson(api: PipedriveApi, deal: string, person: number | null): Promise<void> {
  await pdRequest<PdRecord>(api, ENDPOINT.update, {
    method: 'PATCH',
    url: `${ENTITIES.deal.collection}/${deal}`,
    json: { person_id: person },
    idempotent: true,
  });
}
