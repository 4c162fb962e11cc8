import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
beforeAll(async () => {
  s = await startSalesforce({ Account: 5, Contact: 60, Opportunity: 10 });
});
afterAll(() => s.close());

const MIN = 60_000;
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

describe('getUpdated / getDeleted (Part A7)', () => {
  it('reports records changed and deleted "as a CRM user" through the admin API', async () => {
    const org = s.server.org();
    const contact = [...org.state.store.table('Contact').values()].find((r) => !r.IsDeleted)!;
    const start = org.now() - 2 * MIN;
    const edited = await s.admin('PATCH', `default/records/Contact/${String(contact.Id)}`, {
      Title: 'Changed by a user',
    });
    expect(edited.status).toBe(200);
    expect(edited.json).toMatchObject({ Title: 'Changed by a user', LastModifiedById: org.state.crmUserId });
    const made = await s.admin('POST', 'default/records/Contact', { LastName: 'Fresh' });
    expect(made.status).toBe(201);
    const doomed = [...org.state.store.table('Contact').values()].filter((r) => !r.IsDeleted)[3]!;
    expect((await s.admin('DELETE', `default/records/Contact/${String(doomed.Id)}`)).status).toBe(200);
    // Move the clock so the changes fall inside a whole-minute window.
    await s.admin('PUT', 'default/clock', { advanceMs: 2 * MIN });
    const end = org.now();

    const updated = await s.sf(
      'GET',
      `${V}/sobjects/Contact/updated/?start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}`,
    );
    expect(updated.status).toBe(200);
    expect(updated.json.ids).toEqual(expect.arrayContaining([contact.Id, made.json.Id]));
    expect(updated.json.ids).not.toContain(doomed.Id);
    expect(updated.json.latestDateCovered).toMatch(/:00\.000\+0000$/);

    const deleted = await s.sf(
      'GET',
      `${V}/sobjects/Contact/deleted/?start=${encodeURIComponent(iso(start))}&end=${encodeURIComponent(iso(end))}`,
    );
    expect(deleted.json.deletedRecords).toEqual([
      { id: doomed.Id, deletedDate: expect.stringMatching(/\+0000$/) },
    ]);
    expect(Object.keys(deleted.json).sort()).toEqual([
      'deletedRecords',
      'earliestDateAvailable',
      'latestDateCovered',
    ]);

    expect((await s.admin('POST', `default/records/Contact/${String(doomed.Id)}/restore`)).status).toBe(200);
    expect((await s.sf('GET', `${V}/sobjects/Contact/${String(doomed.Id)}`)).status).toBe(200);
    expect((await s.admin('POST', 'default/records/Widget', { A: 1 })).status).toBe(404);
    expect((await s.admin('POST', 'default/records/Contact', { FirstName: 'NoLast' })).status).toBe(400);
  });

  it('seeds recycle-bin records inside the getDeleted window', async () => {
    const now = s.server.org().now();
    const res = await s.sf(
      'GET',
      `${V}/sobjects/Opportunity/deleted/?start=${encodeURIComponent(iso(now - 14 * DAY))}&end=${encodeURIComponent(iso(now))}`,
    );
    const expected = s.server.org().state.store.deleteLog.filter((d) => d.object === 'Opportunity').length;
    expect(res.json.deletedRecords).toHaveLength(expected);
  });

  it('enforces the 30-day (updated) and 15-day (deleted) windows and the parameters', async () => {
    const now = s.server.org().now();
    const tooOld = await s.sf(
      'GET',
      `${V}/sobjects/Contact/updated/?start=${encodeURIComponent(iso(now - 31 * DAY))}&end=${encodeURIComponent(iso(now))}`,
    );
    expect(tooOld.status).toBe(400);
    expect(tooOld.json[0].errorCode).toBe('INVALID_REPLICATION_DATE');
    const okOld = await s.sf(
      'GET',
      `${V}/sobjects/Contact/updated/?start=${encodeURIComponent(iso(now - 29 * DAY))}&end=${encodeURIComponent(iso(now))}`,
    );
    expect(okOld.status).toBe(200);
    const deletedOld = await s.sf(
      'GET',
      `${V}/sobjects/Contact/deleted/?start=${encodeURIComponent(iso(now - 16 * DAY))}&end=${encodeURIComponent(iso(now))}`,
    );
    expect(deletedOld.json[0].errorCode).toBe('INVALID_REPLICATION_DATE');
    expect((await s.sf('GET', `${V}/sobjects/Contact/updated/`)).json[0].errorCode).toBe('MISSING_ARGUMENT');
  });
});
