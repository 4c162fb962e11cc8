// v1 deal participants (docs/vendors/pipedrive.md "Deal participants"): list (offset-paged, v1
// envelope), add (`{person_id}`) and delete by the attachment's own id, each priced as the reference
// states (`PARTICIPANT_COSTS`). The deal's contact person joins the participants when `person_id` is set
// (setting `primaryIsParticipant`); adding someone already there follows `duplicateParticipant`. What
// the reference leaves open is marked UNVERIFIED in the doc section.
import { type FastifyInstance } from 'fastify';
import { PARTICIPANT_COSTS } from './constants';
import { badRequest, notFound, PdError } from './errors';
import { apiRoute } from './http';
import { type Participant } from './participant-book';
import { renderV1, userRef, v1Time } from './render';
import { type PipedriveOrg, type PipedriveServer } from './state';
import { type CompanyStore, type PdRecord, type StoreChange } from './store';
import { v1Page } from './v1-paging';
import { liveRecord } from './writes';

const PATH = '/deals/:id/participants';

/** A participant as `GET /v1/deals/{id}/participants` shows it (the client's `DealParticipantItem`). */
export function renderParticipant(
  store: CompanyStore,
  row: Participant,
  deal: PdRecord,
  person: PdRecord,
): Record<string, unknown> {
  const p = person.values;
  return {
    id: row.id,
    person_id: {
      active_flag: person.deletedAt === null,
      name: p.name,
      email: p.emails ?? [],
      phone: p.phones ?? [],
      owner_id: p.owner_id ?? null,
      company_id: store.companyId,
      value: person.id,
    },
    add_time: v1Time(row.addTime),
    active_flag: true,
    related_item_data: { deal_id: deal.id, title: deal.values.title },
    person: renderV1(store, person),
    added_by_user_id: userRef(store, row.addedBy),
    related_item_type: 'deal',
    related_item_id: deal.id,
  };
}

/** The deal's participants whose person is not deleted (a deleted person's attachment is not listed: UNVERIFIED). */
function visible(store: CompanyStore, deal: PdRecord): { row: Participant; person: PdRecord }[] {
  return store.participants.ofDeal(deal.id).flatMap((row) => {
    const person = store.get('person', row.personId);
    return person && person.deletedAt === null ? [{ row, person }] : [];
  });
}

/**
 * The store listener: a deal whose `person_id` was just set gains that person as a participant, unless
 * already one. The previous contact person stays a participant (UNVERIFIED).
 */
export function joinPrimary(org: PipedriveOrg, change: StoreChange): void {
  const { record, previous } = change;
  if (record.object !== 'deal' || change.action === 'delete') return;
  if (!org.state.settings.primaryIsParticipant) return;
  const person = record.values.person_id;
  if (typeof person !== 'number' || previous?.values.person_id === person) return;
  const book = org.state.store.participants;
  if (!book.find(record.id, person)) book.add(record.id, person, change.userId, org.now());
}

/** Seeded deals: their contact persons are participants from the start (when the setting says so). */
export function seedPrimaryParticipants(store: CompanyStore, userId: number): void {
  for (const deal of store.all('deal')) {
    const person = deal.values.person_id;
    if (typeof person === 'number') store.participants.add(deal.id, person, userId, deal.addTime);
  }
}

function personIdOf(body: unknown): string {
  const raw = (body as Record<string, unknown> | null)?.person_id;
  if (!Number.isInteger(raw) || (raw as number) < 1)
    throw badRequest(`person_id: expected a positive integer, got ${JSON.stringify(raw) ?? 'undefined'}`);
  return String(raw);
}

export function registerParticipantRoutes(app: FastifyInstance, server: PipedriveServer): void {
  const spec = { path: PATH, version: 'v1' as const };
  apiRoute(app, server, { ...spec, method: 'GET', kind: 'list', cost: PARTICIPANT_COSTS.list }, (ctx) => {
    const store = ctx.org.state.store;
    const deal = liveRecord(store, 'deal', ctx.params.id);
    const page = v1Page(visible(store, deal), ctx.query);
    return {
      ...page,
      data: page.data.map(({ row, person }) => renderParticipant(store, row, deal, person)),
    };
  });

  apiRoute(app, server, { ...spec, method: 'POST', kind: 'create', cost: PARTICIPANT_COSTS.add }, (ctx) => {
    const store = ctx.org.state.store;
    const deal = liveRecord(store, 'deal', ctx.params.id);
    const person = liveRecord(store, 'person', personIdOf(ctx.body));
    if (
      store.participants.find(deal.id, person.id) &&
      ctx.org.state.settings.duplicateParticipant === 'refuse'
    )
      throw new PdError(400, 'Person is already a participant of this deal');
    const row = store.participants.add(deal.id, person.id, ctx.userId, ctx.org.now());
    return {
      data: renderParticipant(store, row, deal, person),
      related_objects: { user: { [ctx.userId]: userRef(store, ctx.userId) } },
    };
  });

  apiRoute(
    app,
    server,
    {
      ...spec,
      path: `${PATH}/:participantId`,
      method: 'DELETE',
      kind: 'delete',
      cost: PARTICIPANT_COSTS.delete,
    },
    (ctx) => {
      const store = ctx.org.state.store;
      const deal = liveRecord(store, 'deal', ctx.params.id);
      const id = Number(ctx.params.participantId);
      const row = store.participants.get(id);
      if (!row || row.dealId !== deal.id) throw notFound('Participant');
      store.participants.remove(id);
      return { data: { id } };
    },
  );
}
