import { createAt } from '../../../../src/sandbox/zoho';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: COQL and search', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 120, Deals: 40 });
  });
  afterAll(async () => {
    await z.live.close();
  });

  const coql = (select_query: string) => z.call('POST', '/coql', { body: { select_query } });

  it('pages a module by keyset on id with WHERE id > last ORDER BY id, visiting every record once', async () => {
    const seen: string[] = [];
    let last = '0';
    for (;;) {
      const res = await coql(
        `select Last_Name, Email from Contacts where id > '${last}' order by id asc limit 50`,
      );
      if (res.status === 204) break;
      expect(res.status).toBe(200);
      const ids = res.json.data.map((r: { id: string }) => r.id);
      seen.push(...ids);
      last = ids[ids.length - 1];
      if (!res.json.info.more_records) break;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect([...seen].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : 1))).toEqual(seen);
  });

  it('filters by Modified_Time with ties broken by id, and by lookups, IN and LIKE', async () => {
    const org = z.server.org();
    const at = org.now() - 10 * 60_000;
    const a = createAt(org, 'Contacts', { Last_Name: 'Tie A', Email: 'tie.a@example.com' }, at).id;
    const b = createAt(org, 'Contacts', { Last_Name: 'Tie B', Email: 'tie.b@example.com' }, at).id;
    const since = new Date(at - 1000).toISOString().replace('Z', '+00:00');
    const res = await coql(
      `select Last_Name, Modified_Time from Contacts where Modified_Time > '${since}' order by Modified_Time asc, id asc limit 10`,
    );
    expect(res.json.data.map((r: { id: string }) => r.id)).toEqual([a, b]);
    const deal = createAt(org, 'Deals', {
      Deal_Name: 'Lookup deal',
      Stage: 'Qualification',
      Contact_Name: { id: a },
    });
    const byContact = await coql(`select Deal_Name, Contact_Name from Deals where Contact_Name = '${a}'`);
    expect(byContact.json.data).toEqual([
      { Deal_Name: 'Lookup deal', Contact_Name: { name: 'Tie A', id: a }, id: deal.id },
    ]);
    const like = await coql(
      "select Last_Name from Contacts where Last_Name like 'Tie%' and Email in ('tie.b@example.com')",
    );
    expect(like.json.data.map((r: { id: string }) => r.id)).toEqual([b]);
    expect((await coql("select id from Contacts where Last_Name = 'nobody here'")).status).toBe(204);
  });

  it('answers a change window with a tie-break on id, and backslash-escaped literals', async () => {
    const org = z.server.org();
    const at = org.now() - 5 * 60_000;
    const iso = (ms: number) => `'${new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00')}'`;
    const x = createAt(org, 'Contacts', { Last_Name: "O'Hara", Email: 'ohara@example.com' }, at).id;
    const y = createAt(org, 'Contacts', { Last_Name: 'Window', Email: 'window@example.com' }, at).id;
    const end = iso(org.now());
    const res = await coql(
      `select Last_Name from Contacts where ((Modified_Time > ${iso(at)} or (Modified_Time = ${iso(at)} and id > '${x}')) and Modified_Time <= ${end}) order by Modified_Time asc, id asc limit 200`,
    );
    expect(res.json.data.map((r: { id: string }) => r.id)).toContain(y);
    expect(res.json.data.map((r: { id: string }) => r.id)).not.toContain(x);
    const quoted = await coql("select Last_Name from Contacts where Last_Name = 'O\\'Hara'");
    expect(quoted.json.data.map((r: { id: string }) => r.id)).toEqual([x]);
  });

  it('refuses malformed queries, unknown columns and oversize limits; prices calls by LIMIT', async () => {
    expect((await coql('select from Contacts')).json.code).toBe('SYNTAX_ERROR');
    expect((await coql('select Nope from Contacts')).json).toMatchObject({
      code: 'INVALID_QUERY',
      details: { column_name: 'Nope' },
    });
    expect((await coql('select id from Contacts limit 5000')).json.code).toBe('LIMIT_EXCEEDED');
    const limits = z.server.org().state.limits;
    const now = z.server.org().now();
    const before = limits.spent(now);
    await coql('select id from Contacts limit 1500');
    expect(limits.spent(z.server.org().now()) - before).toBe(3);
  });

  it('searches by criteria, email and word within the first 2,000 matches', async () => {
    const org = z.server.org();
    const c = createAt(org, 'Contacts', {
      Last_Name: 'Searchable',
      First_Name: 'Quinn',
      Email: 'quinn(x)@example.com',
    });
    const byCriteria = await z.call(
      'GET',
      `/Contacts/search?criteria=${encodeURIComponent('((Last_Name:equals:searchable)and(First_Name:starts_with:Qu))')}&fields=Last_Name,Email`,
    );
    expect(byCriteria.status).toBe(200);
    expect(byCriteria.json.data).toEqual([
      { id: c.id, Last_Name: 'Searchable', Email: 'quinn(x)@example.com' },
    ]);
    const escaped = await z.call(
      'GET',
      `/Contacts/search?criteria=${encodeURIComponent('(Email:equals:quinn\\(x\\)@example.com)')}`,
    );
    expect(escaped.json.data[0].id).toBe(c.id);
    const byEmail = await z.call(
      'GET',
      `/Contacts/search?email=${encodeURIComponent('QUINN(x)@example.com')}`,
    );
    expect(byEmail.json.data[0].id).toBe(c.id);
    expect((await z.call('GET', '/Contacts/search?word=zzzznothing')).status).toBe(204);
    expect((await z.call('GET', '/Contacts/search')).json.code).toBe('REQUIRED_PARAM_MISSING');
    expect((await z.call('GET', '/Contacts/search?word=a&page=11&per_page=200')).json.code).toBe(
      'DISCRETE_PAGINATION_LIMIT_EXCEEDED',
    );
  });

  it('does not find a record written within the index lag', async () => {
    const org = z.server.org();
    org.faults.patch({ indexLagMs: 60_000 });
    try {
      createAt(org, 'Contacts', { Last_Name: 'Fresh', Email: 'fresh.one@example.com' });
      expect((await z.call('GET', '/Contacts/search?email=fresh.one@example.com')).status).toBe(204);
      org.clock.advance(61_000);
      expect((await z.call('GET', '/Contacts/search?email=fresh.one@example.com')).status).toBe(200);
    } finally {
      org.faults.clear();
      org.clock.setOffset(0);
    }
  });
});
