import { v1 } from 'pipedrive';
import { PARTICIPANT_COSTS } from '../../../../src/sandbox/pipedrive/constants';
import { startPipedrive, type Started } from './helpers';

const V1 = '/api/v1';

interface ParticipantRow {
  id: number;
  person_id: { value: number; name: string; active_flag: boolean };
  related_item_data: { deal_id: number };
  related_item_id: number;
  person: { id: number; active_flag: boolean };
}

/** A fresh deal with a contact person, and two persons that are not on it. */
async function dealWithContact(s: Started): Promise<{ deal: number; primary: number; others: number[] }> {
  const people: number[] = [];
  for (const name of ['Ada Primary', 'Bob Second', 'Cy Third']) {
    const res = await s.call('POST', '/api/v2/persons', { body: { name } });
    expect(res.status).toBe(201);
    people.push(res.json.data.id as number);
  }
  const deal = await s.call('POST', '/api/v2/deals', { body: { title: 'Team deal', person_id: people[0] } });
  expect(deal.status).toBe(201);
  return { deal: deal.json.data.id as number, primary: people[0]!, others: people.slice(1) };
}

const personIds = (rows: ParticipantRow[]) => rows.map((r) => r.person_id.value);

describe('pipedrive sandbox: v1 deal participants', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPipedrive({ persons: 6, deals: 3 }, { burstLimit: 100_000 });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('lists the contact person as a participant, in the v1 envelope with pagination', async () => {
    const { deal, primary } = await dealWithContact(s);
    const res = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(res.status).toBe(200);
    expect(res.json.success).toBe(true);
    expect(personIds(res.json.data)).toEqual([primary]);
    const [row] = res.json.data as ParticipantRow[];
    expect(row).toMatchObject({
      related_item_data: { deal_id: deal },
      related_item_id: deal,
      related_item_type: 'deal',
      active_flag: true,
      person: { id: primary, active_flag: true },
      person_id: { value: primary, name: 'Ada Primary', active_flag: true },
    });
    expect(res.json.additional_data).toEqual({
      pagination: { start: 0, limit: 100, more_items_in_collection: false },
    });
  });

  it('seeds the contact persons of seeded deals as participants', async () => {
    const deal = s.server.org().state.store.get('deal', 1)!;
    const res = await s.call('GET', `${V1}/deals/1/participants`);
    expect(personIds(res.json.data)).toEqual([deal.values.person_id]);
  });

  it('adds and deletes participants, paging the list with start and limit', async () => {
    const { deal, primary, others } = await dealWithContact(s);
    const added: number[] = [];
    for (const person of others) {
      const res = await s.call('POST', `${V1}/deals/${deal}/participants`, { body: { person_id: person } });
      expect(res.status).toBe(200);
      expect(res.json.data).toMatchObject({ person_id: { value: person }, related_item_id: deal });
      added.push(res.json.data.id as number);
    }
    const first = await s.call('GET', `${V1}/deals/${deal}/participants?start=0&limit=2`);
    expect(personIds(first.json.data)).toEqual([primary, others[0]]);
    expect(first.json.additional_data.pagination).toEqual({
      start: 0,
      limit: 2,
      more_items_in_collection: true,
      next_start: 2,
    });
    const second = await s.call('GET', `${V1}/deals/${deal}/participants?start=2&limit=2`);
    expect(personIds(second.json.data)).toEqual([others[1]]);
    expect(second.json.additional_data.pagination.more_items_in_collection).toBe(false);

    const removed = await s.call('DELETE', `${V1}/deals/${deal}/participants/${added[0]}`);
    expect(removed.status).toBe(200);
    expect(removed.json).toEqual({ success: true, data: { id: added[0] } });
    const after = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(personIds(after.json.data)).toEqual([primary, others[1]]);
    // The attachment is gone: deleting it again is a 404.
    const again = await s.call('DELETE', `${V1}/deals/${deal}/participants/${added[0]}`);
    expect(again.status).toBe(404);
    expect(again.json).toMatchObject({ success: false, error: 'Participant not found' });
  });

  it('refuses a person who already participates, a missing person, a missing deal and a bad body', async () => {
    const { deal, primary } = await dealWithContact(s);
    const dup = await s.call('POST', `${V1}/deals/${deal}/participants`, { body: { person_id: primary } });
    expect(dup.status).toBe(400);
    expect(dup.json).toMatchObject({ success: false, error: 'Person is already a participant of this deal' });
    const noPerson = await s.call('POST', `${V1}/deals/${deal}/participants`, {
      body: { person_id: 987654 },
    });
    expect(noPerson.status).toBe(404);
    expect(noPerson.json).toMatchObject({ success: false, error: 'Person not found' });
    const noDeal = await s.call('GET', `${V1}/deals/987654/participants`);
    expect(noDeal.status).toBe(404);
    expect(noDeal.json).toMatchObject({ success: false, error: 'Deal not found' });
    const noDealPost = await s.call('POST', `${V1}/deals/987654/participants`, {
      body: { person_id: primary },
    });
    expect(noDealPost.status).toBe(404);
    const bad = await s.call('POST', `${V1}/deals/${deal}/participants`, { body: { person_id: 'x' } });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toMatch(/^person_id: expected a positive integer/);
    // A participant id of another deal is not this deal's.
    const other = await dealWithContact(s);
    const otherRows = await s.call('GET', `${V1}/deals/${other.deal}/participants`);
    const foreign = await s.call('DELETE', `${V1}/deals/${deal}/participants/${otherRows.json.data[0].id}`);
    expect(foreign.status).toBe(404);
  });

  it('adds the new contact person when person_id changes and keeps the previous one', async () => {
    const { deal, primary, others } = await dealWithContact(s);
    await s.call('PATCH', `/api/v2/deals/${deal}`, { body: { person_id: others[0] } });
    const res = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(personIds(res.json.data)).toEqual([primary, others[0]]);
  });

  it('leaves out participants whose person is deleted, and moves them to the survivor of a merge', async () => {
    const { deal, primary, others } = await dealWithContact(s);
    for (const person of others)
      await s.call('POST', `${V1}/deals/${deal}/participants`, { body: { person_id: person } });
    await s.call('DELETE', `/api/v2/persons/${others[0]}`);
    let res = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(personIds(res.json.data)).toEqual([primary, others[1]]);
    // others[1] merged into the contact person: one attachment per person and deal.
    const merged = await s.call('PUT', `${V1}/persons/${others[1]}/merge`, {
      body: { merge_with_id: primary },
    });
    expect(merged.status).toBe(200);
    res = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(personIds(res.json.data)).toEqual([primary]);
  });

  it('charges each call its own token cost', async () => {
    const { deal, others } = await dealWithContact(s);
    const org = s.server.org();
    const spent = () => org.state.limits.spent(org.now());
    let before = spent();
    const added = await s.call('POST', `${V1}/deals/${deal}/participants`, {
      body: { person_id: others[0] },
    });
    expect(spent() - before).toBe(PARTICIPANT_COSTS.add);
    before = spent();
    await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(spent() - before).toBe(PARTICIPANT_COSTS.list);
    before = spent();
    await s.call('DELETE', `${V1}/deals/${deal}/participants/${added.json.data.id}`);
    expect(spent() - before).toBe(PARTICIPANT_COSTS.delete);
    expect(PARTICIPANT_COSTS).toEqual({ list: 10, add: 10, delete: 6 });
  });
});

describe('pipedrive sandbox: participant settings', () => {
  let s: Started | undefined;
  afterEach(async () => {
    await s?.live.close();
    s = undefined;
  });

  it('keeps the contact person out of the participants when primaryIsParticipant is off', async () => {
    s = await startPipedrive({ persons: 4, deals: 2 }, { primaryIsParticipant: false });
    const seeded = await s.call('GET', `${V1}/deals/1/participants`);
    expect(seeded.json.data).toEqual([]);
    const { deal } = await dealWithContact(s);
    const res = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(res.json.data).toEqual([]);
  });

  it('adds a person a second time when duplicateParticipant is add', async () => {
    s = await startPipedrive({ persons: 4, deals: 2 }, { duplicateParticipant: 'add' });
    const { deal, primary } = await dealWithContact(s);
    const dup = await s.call('POST', `${V1}/deals/${deal}/participants`, { body: { person_id: primary } });
    expect(dup.status).toBe(200);
    const res = await s.call('GET', `${V1}/deals/${deal}/participants`);
    expect(personIds(res.json.data)).toEqual([primary, primary]);
  });
});

describe('pipedrive sandbox: deal participants through the official client 33.7.0', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPipedrive({ persons: 5, deals: 2 }, { burstLimit: 100_000 });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('adds, lists and deletes participants with the v1 DealsApi', async () => {
    const { deal, primary, others } = await dealWithContact(s);
    const config = new v1.Configuration({ apiKey: s.token, basePath: `${s.live.baseUrl}/api/v1` });
    const api = new v1.DealsApi(config);
    const added = await api.addDealParticipant({
      id: deal,
      AddDealParticipantRequest: { person_id: others[0]! },
    });
    expect(added.success).toBe(true);
    expect(added.data?.person_id?.value).toBe(others[0]);
    const listed = await api.getDealParticipants({ id: deal, start: 0, limit: 100 });
    expect(listed.data?.map((p) => p.person_id?.value)).toEqual([primary, others[0]]);
    const removed = await api.deleteDealParticipant({ id: deal, deal_participant_id: added.data!.id! });
    expect(removed.data?.id).toBe(added.data?.id);
    const after = await api.getDealParticipants({ id: deal });
    expect(after.data?.map((p) => p.person_id?.value)).toEqual([primary]);
  });
});
