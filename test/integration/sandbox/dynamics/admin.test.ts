import { startAllSandboxes } from '../../../../src/sandbox';
import { DEMO, demoAccessToken } from '../../../../src/sandbox/dynamics';
import { API, startDynamics } from './helpers';

describe('Dataverse sandbox: admin API, registry and seed', () => {
  it('starts through startAllSandboxes and hands out its demo credentials', async () => {
    const running = await startAllSandboxes({
      vendors: ['dynamics'],
      orgs: { dynamics: [{ id: 'default', counts: { contact: 3, opportunity: 1, account: 1 } }] },
    });
    try {
      const dyn = running.sandboxes.dynamics!;
      expect(dyn.credentials.default).toMatchObject({
        tenantId: DEMO.tenantId,
        clientId: DEMO.clientId,
        environmentUrl: 'https://contoso.crm.dynamics.com',
        scope: 'https://contoso.crm.dynamics.com/.default',
        apiUrl: `${dyn.baseUrl}${API}/`,
        accessToken: demoAccessToken('default'),
      });
      const res = await fetch(`${dyn.baseUrl}${API}/contacts`, {
        headers: { authorization: `Bearer ${demoAccessToken('default')}` },
      });
      expect(res.status).toBe(200);
    } finally {
      await running.close();
    }
  });

  it('seeds deterministic data per seed, and each org has its own tenant and data', async () => {
    const a = await startDynamics({ contact: 20, opportunity: 5, account: 3 });
    const b = await startDynamics({ contact: 20, opportunity: 5, account: 3 });
    try {
      const rows = (s: typeof a) =>
        [...s.server.org().state.store.table('contact').values()].map((r) => [r.id, r.values.fullname]);
      expect(rows(a)).toEqual(rows(b));
      const other = a.server.createOrg({
        id: 'emea',
        seed: 9,
        counts: { contact: 2, opportunity: 1, account: 1 },
      });
      expect(other.state.tenantId).not.toBe(DEMO.tenantId);
      const wrongOrg = await a.call('GET', `${API}/contacts`, { token: demoAccessToken('emea') });
      expect(wrongOrg.json.value).toHaveLength(2);
    } finally {
      await Promise.all([a.live.close(), b.live.close()]);
    }
  });

  it('edits records as a CRM user through the admin API, visible in deltas and the request log', async () => {
    const { live, call, server } = await startDynamics({ contact: 4, opportunity: 1, account: 1 });
    try {
      const base = `${live.baseUrl}/__sandbox/orgs/default`;
      const delta = await call('GET', `${API}/contacts?$select=lastname`, {
        headers: { prefer: 'odata.track-changes' },
      });
      const created = await fetch(`${base}/records/contacts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ firstname: 'Admin', lastname: 'Made' }),
      });
      expect(created.status).toBe(201);
      const row = (await created.json()) as { contactid: string; _ownerid_value: string };
      expect(row._ownerid_value).toBe(server.org().state.interactiveUserId);
      expect((await fetch(`${base}/records/contacts/${row.contactid}`)).status).toBe(200);
      const bad = await fetch(`${base}/records/contacts/${row.contactid}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nosuch: 1 }),
      });
      expect(bad.status).toBe(400);
      expect((await fetch(`${base}/records/systemusers/${row.contactid}`)).status).toBe(404);
      expect((await fetch(`${base}/records/contacts/${row.contactid}`, { method: 'DELETE' })).status).toBe(
        200,
      );
      expect((await fetch(`${base}/records/contacts/${row.contactid}`)).status).toBe(404);
      const changes = await call('GET', String(delta.json['@odata.deltaLink']).slice(live.baseUrl.length));
      expect(changes.json.value).toEqual([expect.objectContaining({ id: row.contactid, reason: 'deleted' })]);
      const log = (await (await fetch(`${base}/requests`)).json()) as { counters: Record<string, number> };
      expect(log.counters['GET /api/data/:version/contacts']).toBe(2);
      const settings = await fetch(`${base}/settings`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ requestsPerWindow: -1 }),
      });
      expect(settings.status).toBe(400);
    } finally {
      await live.close();
    }
  });
});
