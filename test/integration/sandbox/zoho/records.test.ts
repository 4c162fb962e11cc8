import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: listing and getting records', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 450, Deals: 30 });
  });
  afterAll(async () => {
    await z.live.close();
  });

  it('requires fields, caps them at 50 and refuses names the module lacks', async () => {
    const none = await z.call('GET', '/Contacts');
    expect(none.status).toBe(400);
    expect(none.json).toEqual({
      code: 'REQUIRED_PARAM_MISSING',
      details: { param_name: 'fields' },
      message: 'required param is missing',
      status: 'error',
    });
    const many = Array.from({ length: 51 }, (_, i) => `F${i}`).join(',');
    expect((await z.call('GET', `/Contacts?fields=${many}`)).json).toMatchObject({
      code: 'LIMIT_EXCEEDED',
      details: { limit: 50, param_name: 'fields' },
    });
    expect((await z.call('GET', '/Contacts?fields=Nope')).json.code).toBe('INVALID_DATA');
    expect((await z.call('GET', '/Leads?fields=Email')).json).toMatchObject({ code: 'INVALID_MODULE' });
  });

  it('pages by page/per_page with info, sorted by id desc unless told, returning id and the asked fields', async () => {
    const res = await z.call(
      'GET',
      '/Contacts?fields=Last_Name,Email,Owner,Modified_Time&per_page=200&page=2',
    );
    expect(res.status).toBe(200);
    expect(res.json.data).toHaveLength(200);
    expect(Object.keys(res.json.data[0]).sort()).toEqual([
      'Email',
      'Last_Name',
      'Modified_Time',
      'Owner',
      'id',
    ]);
    expect(res.json.data[0].Owner).toEqual({
      name: expect.any(String),
      id: expect.any(String),
      email: expect.any(String),
    });
    expect(res.json.data[0].Modified_Time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(res.json.info).toMatchObject({
      page: 2,
      per_page: 200,
      count: 200,
      more_records: true,
      sort_by: 'id',
      sort_order: 'desc',
    });
    const ids = res.json.data.map((r: { id: string }) => BigInt(r.id));
    expect([...ids].sort((a, b) => (a > b ? -1 : 1))).toEqual(ids);
  });

  it('refuses page beyond 2,000 records without a page_token; the tokens walk every record once', async () => {
    const far = await z.call('GET', '/Contacts?fields=Email&per_page=200&page=11');
    expect(far.json).toEqual({
      code: 'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
      details: { limit: 2000 },
      message: 'You can only get the first 2000 records without using page_token param',
      status: 'error',
    });
    const seen = new Set<string>();
    const path = '/Contacts?fields=Email&per_page=200&sort_by=Modified_Time&sort_order=asc';
    let token: string | null = null;
    do {
      const res: { status: number; json: { data: { id: string }[]; info: Record<string, unknown> } } =
        await z.call('GET', token ? `${path}&page_token=${token}` : path);
      expect(res.status).toBe(200);
      for (const r of res.json.data) seen.add(r.id);
      token = res.json.info.next_page_token as string | null;
      if (token) expect(res.json.info.page_token_expiry).toEqual(expect.any(String));
    } while (token);
    expect(seen.size).toBe(450);
  });

  it('binds a page token to its query and its org, and expires it', async () => {
    const first = await z.call('GET', '/Contacts?fields=Email&per_page=10');
    const token = first.json.info.next_page_token as string;
    const altered = await z.call('GET', `/Contacts?fields=Email,Phone&per_page=10&page_token=${token}`);
    expect(altered.json.code).toBe('TOKEN_BOUND_DATA_MISMATCH');
    const forged = await z.call('GET', `/Contacts?fields=Email&per_page=10&page_token=${'a'.repeat(48)}`);
    expect(forged.json.code).toBe('TOKEN_BOUND_DATA_MISMATCH');
    const other = z.server.createOrg({
      id: 'other',
      settings: { dc: 'eu' },
      counts: { Contacts: 30, Deals: 1 },
    });
    const stolen = await z.call('GET', `/Contacts?fields=Email&per_page=10&page_token=${token}`, {
      token: other.state.demoToken,
    });
    expect(stolen.json.code).toBe('TOKEN_BOUND_DATA_MISMATCH');
    z.server.org().clock.advance(24 * 3600_000);
    try {
      const late = await z.call('GET', `/Contacts?fields=Email&per_page=10&page_token=${token}`);
      expect(late.json).toMatchObject({ code: 'EXPIRED_VALUE', details: { api_name: 'page_token' } });
    } finally {
      z.server.org().clock.setOffset(0);
      z.server.dropOrg('other');
    }
  });

  it('gets one record as a one-element data array; another org id and unknown ids are no content', async () => {
    const list = await z.call('GET', '/Deals?fields=Deal_Name&per_page=1');
    const id = list.json.data[0].id as string;
    const one = await z.call('GET', `/Deals/${id}?fields=Deal_Name,Stage,Contact_Name,Amount`);
    expect(one.status).toBe(200);
    expect(one.json.data).toEqual([
      expect.objectContaining({ id, Deal_Name: expect.any(String), Stage: expect.any(String) }),
    ]);
    expect((await z.call('GET', '/Deals/1234567000000000001?fields=Deal_Name')).status).toBe(204);
  });

  it('answers If-Modified-Since with the records changed after it, or 304', async () => {
    const future = new Date(z.server.org().now() + 3600_000).toISOString();
    const none = await z.call('GET', '/Contacts?fields=Email', { headers: { 'if-modified-since': future } });
    expect(none.status).toBe(304);
    const all = await z.call(
      'GET',
      '/Contacts?fields=Email,Modified_Time&sort_by=Modified_Time&sort_order=desc&per_page=5',
    );
    const cut = all.json.data[4].Modified_Time as string;
    const since = await z.call('GET', '/Contacts?fields=Email,Modified_Time', {
      headers: { 'if-modified-since': cut },
    });
    expect(since.status).toBe(200);
    for (const r of since.json.data) expect(Date.parse(r.Modified_Time)).toBeGreaterThan(Date.parse(cut));
  });
});
