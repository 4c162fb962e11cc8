// Webhooks registered through the Web API (serviceendpoints + sdkmessageprocessingsteps), delivered
// to a real local receiver: the RemoteExecutionContext body, the documented headers, the auth
// options, and exactly one retry on 502/503/504 only.
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { API, startDynamics } from './helpers';

interface Received {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

async function receiver(
  statuses: number[],
): Promise<{ url: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    req.on('end', () => {
      received.push({
        url: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(text) as Record<string, unknown>,
      });
      res.statusCode = statuses[received.length - 1] ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    close: () => new Promise((r) => server.close(() => r())),
  };
}

async function until(check: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!check() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('Dataverse sandbox: webhooks', () => {
  let ctx: Awaited<ReturnType<typeof startDynamics>>;
  beforeEach(async () => {
    ctx = await startDynamics({ contact: 5, opportunity: 2, account: 1 }, {}, { webhookRetryDelayMs: 10 });
  });
  afterEach(async () => {
    await ctx.live.close();
  });

  async function register(
    url: string,
    endpoint: Record<string, unknown>,
    step: Record<string, unknown>,
  ): Promise<void> {
    const created = await ctx.call('POST', `${API}/serviceendpoints`, {
      body: { name: 'gateway', url, contract: 8, messageformat: 2, ...endpoint },
      headers: { prefer: 'return=representation' },
    });
    expect(created.status).toBe(201);
    const stepRes = await ctx.call('POST', `${API}/sdkmessageprocessingsteps`, {
      body: {
        name: 'gateway step',
        stage: 40,
        mode: 1,
        'eventhandler_serviceendpoint@odata.bind': `/serviceendpoints(${String(created.json.serviceendpointid)})`,
        ...step,
      },
    });
    expect(stepRes.status).toBe(204);
  }

  const firstContact = () => [...ctx.server.org().state.store.table('contact').values()][0]!;

  it('delivers an Update as a RemoteExecutionContext with the documented headers and the WebhookKey as ?code=', async () => {
    const hook = await receiver([]);
    try {
      await register(
        hook.url,
        { authtype: 4, authvalue: 'key-123' },
        { messagename: 'Update', primaryobjecttypecode: 'contact', filteringattributes: 'jobtitle' },
      );
      const endpoints = await ctx.call('GET', `${API}/serviceendpoints`);
      expect(endpoints.json.value[0]).toMatchObject({ url: hook.url, authtype: 4 });
      expect(endpoints.json.value[0]).not.toHaveProperty('authvalue');
      const c = firstContact();
      await ctx.call('PATCH', `${API}/contacts(${c.id})`, { body: { telephone1: '1' } });
      await ctx.call('PATCH', `${API}/contacts(${c.id})`, { body: { jobtitle: 'Hooked' } });
      await until(() => hook.received.length >= 1);
      await new Promise((r) => setTimeout(r, 100));
      expect(hook.received).toHaveLength(1);
      const [d] = hook.received;
      expect(d!.url).toBe('/hook?code=key-123');
      expect(d!.headers).toMatchObject({
        'x-ms-dynamics-organization': 'contoso.crm.dynamics.com',
        'x-ms-dynamics-entity-name': 'contact',
        'x-ms-dynamics-request-name': 'Update',
        'x-ms-correlation-request-id': d!.body.CorrelationId,
      });
      expect(d!.body).toMatchObject({
        MessageName: 'Update',
        PrimaryEntityName: 'contact',
        PrimaryEntityId: c.id,
        Stage: 40,
        Mode: 1,
        Depth: 1,
      });
      const target = (
        d!.body.InputParameters as {
          key: string;
          value: { Attributes: { key: string; value: unknown }[]; LogicalName: string };
        }[]
      )[0]!;
      expect(target.key).toBe('Target');
      expect(target.value.LogicalName).toBe('contact');
      expect(target.value.Attributes).toEqual(
        expect.arrayContaining([
          { key: 'jobtitle', value: 'Hooked' },
          { key: 'contactid', value: c.id },
        ]),
      );
      expect(d!.headers['x-ms-dynamics-msg-size-exceeded']).toBeUndefined();
    } finally {
      await hook.close();
    }
  });

  it('sends HttpHeader auth as headers, delivers Create with the output id, and retries once on 503 but never on 500', async () => {
    const hook = await receiver([503, 503, 500]);
    try {
      await register(
        hook.url,
        { authtype: 5, authvalue: '<settings><setting name="x-api-key" value="s3cret" /></settings>' },
        { messagename: 'Create', primaryobjecttypecode: 'contact' },
      );
      await ctx.call('POST', `${API}/contacts`, { body: { lastname: 'Retry' } });
      await until(() => hook.received.length >= 2);
      await ctx.call('POST', `${API}/contacts`, { body: { lastname: 'NoRetry' } });
      await until(() => hook.received.length >= 3);
      await new Promise((r) => setTimeout(r, 150));
      expect(hook.received).toHaveLength(3);
      expect(hook.received[0]!.headers['x-api-key']).toBe('s3cret');
      expect(hook.received[0]!.body.CorrelationId).toBe(hook.received[1]!.body.CorrelationId);
      const created = ctx.server.org().state.store.findByKey('contact', { lastname: 'Retry' })!;
      expect(hook.received[0]!.body.OutputParameters).toEqual([{ key: 'id', value: created.id }]);
    } finally {
      await hook.close();
    }
  });

  it('delivers an admin edit to the admin-set target and raises nothing for seed data', async () => {
    const hook = await receiver([]);
    try {
      const put = await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/webhooks`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: hook.url }),
      });
      expect(put.status).toBe(200);
      const c = firstContact();
      const edit = await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/records/contacts/${c.id}`, {
        method: 'PATCH',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jobtitle: 'Edited in the UI' }),
      });
      expect(edit.status).toBe(200);
      expect(await edit.json()).toMatchObject({ jobtitle: 'Edited in the UI' });
      await fetch(`${ctx.live.baseUrl}/__sandbox/orgs/default/webhooks/flush`, { method: 'POST' });
      expect(hook.received).toHaveLength(1);
      expect(hook.received[0]!.body).toMatchObject({
        MessageName: 'Update',
        InitiatingUserId: ctx.server.org().state.interactiveUserId,
      });
    } finally {
      await hook.close();
    }
  });
});
