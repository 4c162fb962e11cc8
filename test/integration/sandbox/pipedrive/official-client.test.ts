// The Pipedrive sandbox driven by the official `pipedrive` client (33.7.0): v2 persons, deals, search
// and fields, v1 fields and recents, and the OAuth helper's code exchange, refresh and revoke — its
// own request building (x-api-token header, Basic client auth, api_domain switch) against ours.
import { v1, v2 } from 'pipedrive';
import { DEMO } from '../../../../src/sandbox/pipedrive';
import { authorizeCode, startPipedrive, type Started } from './helpers';

describe('Pipedrive sandbox through the official pipedrive client 33.7.0', () => {
  let s: Started;
  let config: v2.Configuration;

  beforeAll(async () => {
    s = await startPipedrive({ persons: 23, deals: 11 }, { burstLimit: 100_000 });
    config = new v2.Configuration({ apiKey: s.token, basePath: `${s.live.baseUrl}/api/v2` });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('pages every person with the v2 PersonsApi cursor', async () => {
    const api = new v2.PersonsApi(config);
    const ids: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.getPersons({ limit: 6, cursor, sort_by: 'update_time' });
      expect(page.success).toBe(true);
      ids.push(...(page.data ?? []).map((p) => p.id as number));
      cursor = page.additional_data?.next_cursor ?? undefined;
    } while (cursor);
    expect(ids.sort((a, b) => a - b)).toEqual(Array.from({ length: 23 }, (_, i) => i + 1));
  });

  it('adds, updates, reads and deletes a person, and finds it by search', async () => {
    const api = new v2.PersonsApi(config);
    const added = await api.addPerson({
      AddPersonRequest: {
        name: 'Grace Hopper',
        emails: [{ value: 'grace@navy.example', primary: true, label: 'work' }],
      },
    });
    const id = added.data?.id as number;
    const updated = await api.updatePerson({
      id,
      UpdatePersonRequest: { phones: [{ value: '+1 555 0100', primary: true, label: 'work' }] },
    });
    expect(updated.data?.phones).toEqual([{ value: '+1 555 0100', primary: true, label: 'work' }]);
    const found = await api.searchPersons({ term: 'grace@navy', fields: 'email' });
    expect(found.data?.items?.map((i) => i.item?.id)).toEqual([id]);
    const removed = await api.deletePerson({ id });
    expect(removed.data?.id).toBe(id);
    expect((await api.getPerson({ id })).data?.is_deleted).toBe(true);
  });

  it('lists deleted deals with status=deleted through the v2 DealsApi', async () => {
    const api = new v2.DealsApi(config);
    const deal = await api.addDeal({ AddDealRequest: { title: 'SDK deal', value: 900, currency: 'EUR' } });
    const id = deal.data?.id as number;
    await api.deleteDeal({ id });
    const open = await api.getDeals({ ids: String(id) });
    expect(open.data).toEqual([]);
    const deleted = await api.getDeals({ ids: String(id), status: 'deleted' });
    expect(deleted.data?.map((d) => [d.id, d.is_deleted])).toEqual([[id, true]]);
  });

  it('reads v2 dealFields and v1 personFields and recents', async () => {
    const fields = await new v2.DealFieldsApi(config).getDealFields({ limit: 100 });
    expect(fields.data?.some((f) => f.field_type === 'monetary' && f.is_custom_field)).toBe(true);
    const v1config = new v1.Configuration({ apiKey: s.token, basePath: `${s.live.baseUrl}/api/v1` });
    const personFields = await new v1.PersonFieldsApi(v1config).getPersonFields({ limit: 4 });
    expect(personFields.data).toHaveLength(4);
    const recents = await new v1.RecentsApi(v1config).getRecents({
      since_timestamp: '2000-01-01 00:00:00',
      items: 'deal',
      limit: 5,
    });
    expect(recents.data).toHaveLength(5);
  });

  it('runs the OAuth helper: code exchange, api_domain base path, refresh and revoke', async () => {
    const oauth = new v2.OAuth2Configuration({
      clientId: DEMO.clientId,
      clientSecret: DEMO.clientSecret,
      redirectUri: DEMO.redirectUri,
      host: s.live.baseUrl,
    });
    await oauth.authorize(await authorizeCode(s.live.baseUrl));
    expect(oauth.basePath).toBe(`${s.live.baseUrl}/c/${s.server.org().state.companyDomain}/api/v2`);
    const api = new v2.PersonsApi(
      new v2.Configuration({ accessToken: oauth.getAccessToken, basePath: oauth.basePath }),
    );
    expect((await api.getPerson({ id: 1 })).data?.id).toBe(1);
    const before = await oauth.getAccessToken();
    await oauth.tokenRefresh();
    expect(await oauth.getAccessToken()).not.toBe(before);
    await oauth.revokeToken('refresh_token');
    await expect(api.getPerson({ id: 1 })).rejects.toMatchObject({ errorCode: 401 });
  });
});
