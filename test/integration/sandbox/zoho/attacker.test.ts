import { createAt, DC_IDS } from '../../../../src/sandbox/zoho';
import { authorize, caller, startZoho, tokenRequest, type Started } from './helpers';

// A client that tries what it should not: another org's ids, tampered page tokens, oversize writes,
// a token on every other DC, a code redeemed with a stolen redirect.
describe('Zoho sandbox: refusing what a client must not do', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 30, Deals: 5 });
    z.server.createOrg({ id: 'victim', settings: { dc: 'eu' }, counts: { Contacts: 5, Deals: 2 } });
  });
  afterAll(async () => {
    await z.live.close();
  });

  it("cannot read, update, delete or link another org's records by id", async () => {
    const victim = z.server.org('victim');
    const theirs = victim.state.store.all('Contacts')[0]!;
    expect((await z.call('GET', `/Contacts/${theirs.id}?fields=Email`)).status).toBe(204);
    const put = await z.call('PUT', '/Contacts', { body: { data: [{ id: theirs.id, Last_Name: 'Owned' }] } });
    expect(put.status).toBe(400);
    const del = await z.call('DELETE', `/Contacts?ids=${theirs.id}`);
    expect(del.json.data[0]).toMatchObject({ code: 'INVALID_DATA', message: 'record not deleted' });
    const deal = z.server.org().state.store.all('Deals')[0]!;
    const role = await z.call('PUT', `/Deals/${deal.id}/Contact_Roles/${theirs.id}`, {
      body: { data: [{ Contact_Role: { name: 'Purchasing' } }] },
    });
    expect(role.status).toBe(400);
    const coql = await z.call('POST', '/coql', {
      body: { select_query: `select Email from Contacts where id = '${theirs.id}'` },
    });
    expect(coql.status).toBe(204);
    expect(victim.state.store.get('Contacts', theirs.id)?.values.Last_Name).toBe(theirs.values.Last_Name);
  });

  it('refuses tampered, oversize and replayed-elsewhere page tokens', async () => {
    const first = await z.call('GET', '/Contacts?fields=Email&per_page=5');
    const token = first.json.info.next_page_token as string;
    const flipped = `${token.slice(0, -1)}${token.endsWith('0') ? '1' : '0'}`;
    expect((await z.call('GET', `/Contacts?fields=Email&per_page=5&page_token=${flipped}`)).json.code).toBe(
      'TOKEN_BOUND_DATA_MISMATCH',
    );
    expect(
      (await z.call('GET', `/Contacts?fields=Email&per_page=5&page_token=${'9'.repeat(97)}`)).json.code,
    ).toBe('TOKEN_BOUND_DATA_MISMATCH');
    expect((await z.call('GET', `/Deals?fields=Deal_Name&per_page=5&page_token=${token}`)).json.code).toBe(
      'TOKEN_BOUND_DATA_MISMATCH',
    );
  });

  it('refuses writes over 100 records on every write route', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ Last_Name: `x${i}`, id: String(i) }));
    for (const [method, path] of [
      ['POST', '/Contacts'],
      ['PUT', '/Contacts'],
      ['POST', '/Contacts/upsert'],
    ] as const) {
      const res = await z.call(method, path, { body: { data: many } });
      expect({ path, status: res.status, code: res.json.code }).toEqual({
        path,
        status: 400,
        code: 'LIMIT_EXCEEDED',
      });
    }
    expect(
      z.server
        .org()
        .state.store.all('Contacts')
        .some((c) => c.values.Last_Name === 'x0'),
    ).toBe(false);
  });

  it('takes a token on its own DC only, out of all eight', async () => {
    const own = z.server.org().state.settings.dc;
    for (const dc of DC_IDS) {
      const res = await caller(z.live.baseUrl, z.token, dc)('GET', '/org');
      expect({ dc, status: res.status }).toEqual({ dc, status: dc === own ? 200 : 401 });
    }
    expect((await caller(z.live.baseUrl, z.token, 'xx')('GET', '/org')).status).toBe(404);
  });

  it('will not redeem a code for another redirect_uri, nor with another client', async () => {
    const back = await authorize(z.live.baseUrl);
    const code = back.get('code') ?? '';
    const stolen = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'authorization_code',
      code,
      redirect_uri: 'https://attacker.example/cb',
    });
    expect(stolen.json).toEqual({ error: 'invalid_redirect_uri' });
    const otherClient = await tokenRequest(z.live.baseUrl, 'eu', {
      grant_type: 'authorization_code',
      code,
      client_id: '1000.SOMEONEELSE',
      redirect_uri: 'x',
    });
    expect(otherClient.json).toEqual({ error: 'invalid_client' });
  });

  it('keeps a unique key unique across a batch and against existing records', async () => {
    createAt(z.server.org(), 'Deals', { Deal_Name: 'Keyed', Stage: 'Qualification', Gateway_Key: 'k-1' });
    const res = await z.call('POST', '/Deals', {
      body: {
        data: [
          { Deal_Name: 'A', Stage: 'Qualification', Gateway_Key: 'k-2' },
          { Deal_Name: 'B', Stage: 'Qualification', Gateway_Key: 'k-2' },
          { Deal_Name: 'C', Stage: 'Qualification', Gateway_Key: 'k-1' },
        ],
      },
    });
    expect(res.status).toBe(207);
    expect(res.json.data.map((d: { code: string }) => d.code)).toEqual([
      'SUCCESS',
      'DUPLICATE_DATA',
      'DUPLICATE_DATA',
    ]);
  });
});
