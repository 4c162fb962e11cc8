// The admin API's vendor parts for Pipedrive: records edited "as a CRM user" (shown to the API with
// change_source app), credentials, the request log's route names and settings validation.
import { startPipedrive, V2, type Started } from './helpers';

describe('pipedrive sandbox: admin API', () => {
  let s: Started;
  const admin = async (
    method: string,
    path: string,
    body?: unknown,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
  ): Promise<{ status: number; json: any }> => {
    const res = await fetch(`${s.live.baseUrl}/__sandbox${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as unknown) : null };
  };

  beforeAll(async () => {
    s = await startPipedrive({ persons: 8, deals: 4 });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('creates, edits and deletes records as a user, visible to the API', async () => {
    const created = await admin('POST', '/orgs/default/records/persons', { name: 'UI Person' });
    expect(created.status).toBe(201);
    const id = created.json.id as number;
    expect((await s.call('GET', `${V2}/persons/${id}`)).json.data.name).toBe('UI Person');
    const edited = await admin('PATCH', `/orgs/default/records/persons/${id}`, {
      name: 'UI Person 2',
    });
    expect(edited.json.name).toBe('UI Person 2');
    expect((await admin('GET', `/orgs/default/records/persons/${id}`)).json.name).toBe('UI Person 2');
    expect((await admin('DELETE', `/orgs/default/records/persons/${id}`)).status).toBe(200);
    expect((await s.call('GET', `${V2}/persons/${id}`)).json.data.is_deleted).toBe(true);
    expect((await admin('POST', '/orgs/default/records/persons', { nickname: 'x' })).status).toBe(400);
    expect((await admin('POST', '/orgs/default/records/leads', {})).status).toBe(404);
    expect((await admin('PATCH', '/orgs/default/records/deals/999999', { title: 'x' })).status).toBe(404);
  });

  it('hands out credentials naming the company domain and API token', async () => {
    const creds = await admin('GET', '/orgs/default/credentials');
    const state = s.server.org().state;
    expect(creds.json).toMatchObject({
      apiToken: state.apiToken,
      companyDomain: state.companyDomain,
      v2BaseUrl: `${s.live.baseUrl}/c/${state.companyDomain}/api/v2`,
    });
    expect(state.apiToken).toMatch(/^[0-9a-f]{40}$/);
  });

  it('logs calls under their route templates, never raw ids', async () => {
    await s.call('GET', `${V2}/persons/3`);
    await s.call('GET', `/c/${s.server.org().state.companyDomain}${V2}/persons/4`);
    const log = await admin('GET', '/orgs/default/requests?limit=5');
    const routes = Object.keys(log.json.counters as Record<string, number>);
    expect(routes).toContain('GET /api/v2/persons/:id');
    expect(routes).toContain('GET /c/:company/api/v2/persons/:id');
    expect(routes.some((r) => /\/\d+/.test(r))).toBe(false);
  });

  it('validates settings patches and reset restores the seed', async () => {
    expect((await admin('PATCH', '/orgs/default/settings', { plan: 'ultimate', seats: 2 })).status).toBe(200);
    expect((await admin('PATCH', '/orgs/default/settings', { seats: -1 })).status).toBe(400);
    expect(s.server.org().state.limits.budget()).toBe(30_000 * 7 * 2);
    await s.call('POST', `${V2}/persons`, { body: { name: 'Gone after reset' } });
    expect((await admin('POST', '/orgs/default/reset', {})).status).toBe(200);
    const all = await s.call('GET', `${V2}/persons?limit=500`);
    expect(all.json.data).toHaveLength(8);
  });
});
