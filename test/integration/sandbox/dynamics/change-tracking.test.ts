// Change tracking over raw HTTP: the refusals, delta pages, deletions last, and token expiry on the
// org clock (7 days by default, a setting).
import { API, startDynamics } from './helpers';

describe('Dataverse sandbox: change tracking', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeAll(async () => {
    ctx = await startDynamics({ contact: 12, opportunity: 3, account: 2 });
  });
  afterAll(async () => {
    await ctx.live.close();
  });
  const track = { prefer: 'odata.track-changes' };
  const path = (link: string) => link.slice(ctx.live.baseUrl.length);

  it.each(['$filter=statecode eq 0', '$orderby=lastname', '$expand=ownerid', '$top=2'])(
    'refuses %s with track-changes',
    async (query) => {
      const res = await ctx.call('GET', `${API}/contacts?${query.replace(/ /g, '%20')}`, { headers: track });
      expect(res.status).toBe(400);
      const option = query.split('=')[0];
      expect(res.json.error.message).toBe(
        `The "${option}" query parameter isn't supported when Change Tracking is enabled.`,
      );
    },
  );

  it('pages the initial read, ends with a delta link, and lists changes then deletions in pages', async () => {
    const first = await ctx.call('GET', `${API}/contacts?$select=lastname`, {
      headers: { prefer: 'odata.track-changes,odata.maxpagesize=5' },
    });
    expect(first.headers.get('preference-applied')).toBe('odata.track-changes,odata.maxpagesize=5');
    expect(decodeURIComponent(String(first.json['@odata.nextLink']))).toContain('istracking="True"');
    let page = first;
    while (page.json['@odata.nextLink'])
      page = await ctx.call('GET', path(page.json['@odata.nextLink']), {
        headers: { prefer: 'odata.track-changes,odata.maxpagesize=5' },
      });
    const deltaLink = String(page.json['@odata.deltaLink']);
    expect(deltaLink).toMatch(
      /\$select=lastname&\$deltatoken=\d+!\d{2}%2F\d{2}%2F\d{4}%20\d{2}%3A\d{2}%3A\d{2}$/,
    );
    const ids = [...ctx.server.org().state.store.table('contact').keys()];
    for (const id of ids.slice(0, 3)) await ctx.call('DELETE', `${API}/contacts(${id})`);
    for (const id of ids.slice(3, 7))
      await ctx.call('PATCH', `${API}/contacts(${id})`, { body: { jobtitle: 'Changed' } });
    const delta1 = await ctx.call('GET', path(deltaLink), { headers: { prefer: 'odata.maxpagesize=5' } });
    expect(delta1.json['@odata.context']).toBe(
      `${ctx.live.baseUrl}${API}/$metadata#contacts(lastname)/$delta`,
    );
    expect(delta1.json.value).toHaveLength(5);
    const delta2 = await ctx.call('GET', path(delta1.json['@odata.nextLink']), {
      headers: { prefer: 'odata.maxpagesize=5' },
    });
    const rows = [...delta1.json.value, ...delta2.json.value] as Record<string, unknown>[];
    expect(rows.slice(0, 4).map((r) => r.contactid)).toEqual(ids.slice(3, 7));
    expect(rows.slice(4)).toEqual(
      ids.slice(0, 3).map((id) => ({
        '@odata.context': `${ctx.live.baseUrl}${API}/$metadata#contacts/$deletedEntity`,
        id,
        reason: 'deleted',
      })),
    );
    expect(delta2.json['@odata.deltaLink']).toEqual(expect.any(String));
  });

  it('expires a delta token after changeTrackingExpiryDays on the org clock', async () => {
    const first = await ctx.call('GET', `${API}/accounts?$select=name`, { headers: track });
    const link = path(String(first.json['@odata.deltaLink']));
    const org = ctx.server.org();
    org.clock.advance(6 * 24 * 3600_000);
    try {
      expect((await ctx.call('GET', link)).status).toBe(200);
      org.clock.advance(2 * 24 * 3600_000);
      const expired = await ctx.call('GET', link);
      expect(expired.status).toBe(400);
      expect(expired.json.error).toEqual({
        code: '0x80044352',
        message: 'Version stamp associated with the client has expired. Please perform a full sync.',
      });
      ctx.server.patchSettings('default', { changeTrackingExpiryDays: 30 });
      expect((await ctx.call('GET', link)).status).toBe(200);
    } finally {
      org.clock.setOffset(0);
      ctx.server.patchSettings('default', { changeTrackingExpiryDays: 7 });
    }
  });

  it('refuses forged tokens and tables without change tracking', async () => {
    const forged = await ctx.call('GET', `${API}/contacts?$deltatoken=abc`);
    expect(forged.status).toBe(400);
    expect(forged.json.error.message).toMatch(/\$deltatoken value is not valid/);
    const currencies = await ctx.call('GET', `${API}/transactioncurrencies`, { headers: track });
    expect(currencies.status).toBe(400);
  });
});
