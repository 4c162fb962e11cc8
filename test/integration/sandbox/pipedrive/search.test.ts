// v2 search (term rules, fields, exact match, deleted records, index lag) and the lookups a deal
// points at (pipelines, stages) plus `users/me`.
import { startPipedrive, V2, type Started } from './helpers';

interface Hit {
  result_score: number;
  item: { id: number; name?: string; title?: string };
}

describe('pipedrive sandbox: search and lookups', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPipedrive({ persons: 20, deals: 8 }, { burstLimit: 100_000, searchBurst: 1000 });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('needs 2 characters, or 1 with exact_match, and known fields', async () => {
    const short = await s.call('GET', `${V2}/persons/search?term=a`);
    expect(short.status).toBe(400);
    expect(short.json.error).toMatch(/at least 2 characters/);
    expect((await s.call('GET', `${V2}/persons/search?term=a&exact_match=true`)).status).toBe(200);
    expect((await s.call('GET', `${V2}/persons/search?term=ab&fields=title`)).status).toBe(400);
    expect((await s.call('GET', `${V2}/deals/search?term=ab&fields=title`)).status).toBe(200);
  });

  it('finds by name or email, exact matches first, never deleted ones', async () => {
    const a = (
      await s.call('POST', `${V2}/persons`, {
        body: { name: 'Zebulon Quark', emails: [{ value: 'zq@quark.example' }] },
      })
    ).json.data;
    const b = (await s.call('POST', `${V2}/persons`, { body: { name: 'Zebulon Quarkson' } })).json.data;
    const found = await s.call('GET', `${V2}/persons/search?term=${encodeURIComponent('zebulon quark')}`);
    const hits = found.json.data.items as Hit[];
    expect(hits.map((h) => h.item.id)).toEqual([a.id, b.id]);
    expect(hits[0]?.result_score).toBeGreaterThan(hits[1]?.result_score ?? 1);
    const exact = await s.call(
      'GET',
      `${V2}/persons/search?term=${encodeURIComponent('Zebulon Quark')}&exact_match=true`,
    );
    expect((exact.json.data.items as Hit[]).map((h) => h.item.id)).toEqual([a.id]);
    const byEmail = await s.call('GET', `${V2}/persons/search?term=quark.example&fields=email`);
    expect((byEmail.json.data.items as Hit[]).map((h) => h.item.id)).toEqual([a.id]);
    await s.call('DELETE', `${V2}/persons/${a.id as number}`);
    const after = await s.call('GET', `${V2}/persons/search?term=zebulon`);
    expect((after.json.data.items as Hit[]).map((h) => h.item.id)).toEqual([b.id]);
  });

  it('hides records changed within the index lag (fault knob)', async () => {
    s.server.org().faults.patch({ indexLagMs: 60_000 });
    try {
      await s.call('POST', `${V2}/deals`, { body: { title: 'Fresh Xylophone deal' } });
      expect((await s.call('GET', `${V2}/deals/search?term=xylophone`)).json.data.items).toEqual([]);
      s.server.org().clock.advance(61_000);
      expect((await s.call('GET', `${V2}/deals/search?term=xylophone`)).json.data.items).toHaveLength(1);
    } finally {
      s.server.org().faults.clear();
      s.server.org().clock.setOffset(0);
    }
  });

  it('lists pipelines and the stages of one, and says who the token belongs to', async () => {
    const pipelines = await s.call('GET', `${V2}/pipelines`);
    expect(pipelines.json.data.map((p: { name: string }) => p.name)).toEqual(['Sales', 'Renewals']);
    const stages = await s.call('GET', `${V2}/stages?pipeline_id=2`);
    expect(stages.json.data.every((st: { pipeline_id: number }) => st.pipeline_id === 2)).toBe(true);
    expect((await s.call('GET', `${V2}/stages/1`)).json.data.pipeline_id).toBe(1);
    expect((await s.call('GET', `${V2}/pipelines/99`)).status).toBe(404);
    expect((await s.call('GET', `${V2}/stages/x`)).status).toBe(400);
    const me = await s.call('GET', '/v1/users/me');
    expect(me.json.data).toMatchObject({
      id: s.server.org().state.userId,
      company_id: s.server.org().state.companyId,
      company_domain: s.server.org().state.companyDomain,
    });
  });
});
