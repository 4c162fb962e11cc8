import { startSalesforce, V, type Salesforce } from './helpers';

/**
 * Query cursors as Salesforce documents them today (two days, no limit on open cursors, extended
 * codes), and the pre-v56.0 rules and undocumented behaviours as settings (docs/vendors/salesforce.md).
 */

let s: Salesforce;
beforeAll(async () => {
  s = await startSalesforce({ Account: 5, Contact: 450, Opportunity: 5 });
});
afterAll(() => s.close());

const DEFAULTS = {
  queryCursorLifetimeMs: 2 * 24 * 3600_000,
  queryCursorIdleMs: null,
  maxOpenQueryCursorsPerUser: null,
  singleUseQueryLocators: false,
  dropFinishedQueryCursors: false,
};
beforeEach(async () => {
  await s.admin('PATCH', 'default/settings', DEFAULTS);
  await s.admin('PUT', 'default/clock', { offsetMs: 0 });
});

const batch = { 'Sforce-Query-Options': 'batchSize=200' };
/** Opens a cursor over every live contact (over 400: three batches of 200) and returns its first nextRecordsUrl. */
async function open(): Promise<string> {
  const first = await s.sf(
    'GET',
    `${V}/query?q=${encodeURIComponent('SELECT Id FROM Contact ORDER BY Id')}`,
    {
      headers: batch,
    },
  );
  expect(first.json.done).toBe(false);
  return first.json.nextRecordsUrl as string;
}
const more = (url: string) => s.sf('GET', url, { headers: batch });
const refusal = (extended: string) => [
  { errorCode: 'INVALID_QUERY_LOCATOR', message: `${extended}: invalid query locator` },
];

describe('Salesforce query cursors (v56.0 and later, the default)', () => {
  it('reads a locator again, keeps a finished cursor, and keeps any number open', async () => {
    const url = await open();
    const once = await more(url);
    const twice = await more(url);
    expect(twice.status).toBe(200);
    expect(twice.json.records).toEqual(once.json.records);
    const last = await more(once.json.nextRecordsUrl as string);
    expect(last.json.done).toBe(true);
    // The cursor outlives its last batch: an earlier locator still reads.
    expect((await more(url)).status).toBe(200);
    const urls = await Promise.all(Array.from({ length: 25 }, () => open()));
    for (const u of urls) expect((await more(u)).status).toBe(200);
  });

  it('expires a cursor two days after its query ran, whatever its use', async () => {
    const url = await open();
    await s.admin('PUT', 'default/clock', { advanceMs: 47 * 3600_000 });
    expect((await more(url)).status).toBe(200);
    await s.admin('PUT', 'default/clock', { advanceMs: 2 * 3600_000 });
    const expired = await more(url);
    expect(expired.status).toBe(400);
    expect(expired.json).toEqual(refusal('QUERY_LOCATOR_EXPIRED'));
  });

  it('names a malformed locator and a position past the end by their extended codes', async () => {
    const url = await open();
    const id = url.split('/').pop()!.split('-')[0]!;
    const total = (await more(url)).json.totalSize as number;
    expect((await more(`${V}/query/${id}`)).json).toEqual(refusal('INVALID_QUERY_LOCATOR_FORMAT'));
    expect((await more(`${V}/query/${id}-12x`)).json).toEqual(refusal('INVALID_QUERY_LOCATOR_FORMAT'));
    expect((await more(`${V}/query/${id}-${total + 1}`)).json).toEqual(
      refusal('LOCATOR_LOCATION_EXCEEDS_SIZE'),
    );
    expect((await more(`${V}/query/${id}-${total}`)).json).toMatchObject({ done: true, records: [] });
  });
});

describe('Salesforce query cursors, pre-v56.0 rules and undocumented behaviours, as settings', () => {
  it('single-use locators: a second read of one locator is refused', async () => {
    await s.admin('PATCH', 'default/settings', { singleUseQueryLocators: true });
    const url = await open();
    expect((await more(url)).status).toBe(200);
    expect((await more(url)).json).toEqual(refusal('QUERY_LOCATOR_EXPIRED'));
  });

  it('15 minutes idle: an unused cursor expires, a used one lives on', async () => {
    await s.admin('PATCH', 'default/settings', { queryCursorIdleMs: 15 * 60_000 });
    const idle = await open();
    const used = await open();
    await s.admin('PUT', 'default/clock', { advanceMs: 10 * 60_000 });
    expect((await more(used)).status).toBe(200);
    await s.admin('PUT', 'default/clock', { advanceMs: 10 * 60_000 });
    expect((await more(idle)).json).toEqual(refusal('QUERY_LOCATOR_EXPIRED'));
    expect((await more(used)).status).toBe(200);
  });

  it('10 open cursors per user: the oldest is released for the eleventh', async () => {
    await s.admin('PATCH', 'default/settings', { maxOpenQueryCursorsPerUser: 10 });
    const urls: string[] = [];
    for (let i = 0; i < 11; i += 1) urls.push(await open());
    expect((await more(urls[0]!)).json).toEqual(refusal('QUERY_LOCATOR_EXPIRED'));
    for (const u of urls.slice(1)) expect((await more(u)).status).toBe(200);
  });

  it('dropping a finished cursor: once its last batch is served, its locators are refused', async () => {
    await s.admin('PATCH', 'default/settings', { dropFinishedQueryCursors: true });
    const url = await open();
    const second = await more(url);
    expect((await more(second.json.nextRecordsUrl as string)).json.done).toBe(true);
    expect((await more(url)).json).toEqual(refusal('QUERY_LOCATOR_EXPIRED'));
  });
});
