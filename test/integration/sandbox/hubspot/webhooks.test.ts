import crypto from 'node:crypto';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { DEMO, type HubSpotSandboxOptions, type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { defaultRetryDelay } from '../../../../src/sandbox/hubspot/webhooks';
import { startHubSpot, type Caller } from './helpers';

interface Delivery {
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  events: Record<string, unknown>[];
}

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;
let receiver: http.Server;
let targetUrl: string;
let deliveries: Delivery[];
/** Statuses the receiver answers with, in order; then 204. */
let script: number[];

async function startReceiver(): Promise<void> {
  deliveries = [];
  script = [];
  receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      deliveries.push({ url: req.url ?? '', headers: req.headers, body, events: JSON.parse(body) });
      res.statusCode = script.shift() ?? 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  targetUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhooks/hubspot?app=1`;
}

async function setup(options: HubSpotSandboxOptions = {}): Promise<void> {
  await startReceiver();
  ({ server, live, call } = await startHubSpot(
    { contacts: 10, deals: 5 },
    {},
    {
      webhookRetryDelayMs: () => 20,
      webhookBatchWindowMs: 20,
      ...options,
    },
  ));
  const res = await call(
    'PUT',
    `/webhooks/v3/${DEMO.appId}/settings?hapikey=${DEMO.developerApiKey}`,
    {
      targetUrl,
      throttling: { period: 'SECONDLY', maxConcurrentRequests: 10 },
    },
    null,
  );
  expect(res.status).toBe(200);
}

const flush = () => call('POST', '/__sandbox/orgs/default/webhooks/flush', {}, null);
const events = () => deliveries.flatMap((d) => d.events);

afterEach(async () => {
  await live.close();
  await new Promise((resolve) => receiver.close(resolve));
});

describe('webhooks v3 (B12)', () => {
  beforeEach(() => setup());

  it('serves the app settings and subscriptions API behind the developer key', async () => {
    expect(
      (await call('GET', `/webhooks/v3/${DEMO.appId}/settings?hapikey=wrong`, undefined, null)).status,
    ).toBe(401);
    const settings = await call(
      'GET',
      `/webhooks/v3/${DEMO.appId}/settings?hapikey=${DEMO.developerApiKey}`,
      undefined,
      null,
    );
    expect(settings.json).toMatchObject({ targetUrl, throttling: { maxConcurrentRequests: 10 } });
    const subs = await call(
      'GET',
      `/webhooks/v3/${DEMO.appId}/subscriptions?hapikey=${DEMO.developerApiKey}`,
      undefined,
      null,
    );
    expect(subs.json.results.map((s: { eventType: string }) => s.eventType)).toEqual(
      expect.arrayContaining([
        'contact.creation',
        'contact.deletion',
        'contact.propertyChange',
        'deal.creation',
        'deal.propertyChange',
      ]),
    );
    const created = await call(
      'POST',
      `/webhooks/v3/${DEMO.appId}/subscriptions?hapikey=${DEMO.developerApiKey}`,
      {
        eventType: 'contact.propertyChange',
        propertyName: 'city',
        active: true,
      },
      null,
    );
    expect(created.status).toBe(201);
    const id = liveId();
    await call('PATCH', `/crm/v3/objects/contacts/${id}`, { properties: { city: 'Reykjavik' } });
    await flush();
    expect(events()).toEqual([
      expect.objectContaining({
        subscriptionType: 'contact.propertyChange',
        propertyName: 'city',
        propertyValue: 'Reykjavik',
      }),
    ]);
  });

  it('refuses subscriptions to the properties B12 says cannot be subscribed to', async () => {
    const subscribe = (eventType: string, propertyName: string) =>
      call(
        'POST',
        `/webhooks/v3/${DEMO.appId}/subscriptions?hapikey=${DEMO.developerApiKey}`,
        { eventType, propertyName, active: true },
        null,
      );
    expect((await subscribe('contact.propertyChange', 'city')).status).toBe(201);
    for (const [eventType, propertyName] of [
      ['contact.propertyChange', 'num_unique_conversion_events'],
      ['contact.propertyChange', 'hs_lastmodifieddate'],
      ['deal.propertyChange', 'hs_lastmodifieddate'],
    ] as const) {
      const res = await subscribe(eventType, propertyName);
      expect(res.status).toBe(400);
      expect(res.json).toMatchObject({
        status: 'error',
        message: expect.stringContaining(propertyName),
        correlationId: expect.any(String),
      });
    }
    const subs = await call(
      'GET',
      `/webhooks/v3/${DEMO.appId}/subscriptions?hapikey=${DEMO.developerApiKey}`,
      undefined,
      null,
    );
    const names = subs.json.results.map((r: { propertyName?: string }) => r.propertyName);
    expect(names).not.toContain('hs_lastmodifieddate');
    expect(names).not.toContain('num_unique_conversion_events');
  });

  it('delivers creation and propertyChange events with the documented fields and valid v1/v3 signatures', async () => {
    const res = await call('POST', '/crm/v3/objects/contacts', {
      properties: { email: 'hook@example.org', firstname: 'Hook' },
    });
    await flush();
    const d = deliveries[0] as Delivery;
    expect(d.url).toBe('/webhooks/hubspot?app=1');
    expect(d.headers['content-type']).toBe('application/json');
    const ts = d.headers['x-hubspot-request-timestamp'] as string;
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(60_000);
    const v3 = crypto
      .createHmac('sha256', DEMO.clientSecret)
      .update(`POST${targetUrl}${d.body}${ts}`)
      .digest('base64');
    expect(d.headers['x-hubspot-signature-v3']).toBe(v3);
    expect(d.headers['x-hubspot-signature']).toBe(
      crypto
        .createHash('sha256')
        .update(DEMO.clientSecret + d.body)
        .digest('hex'),
    );
    expect(d.headers['x-hubspot-signature-version']).toBe('v1');
    const creation = events().find((e) => e.subscriptionType === 'contact.creation');
    expect(creation).toEqual({
      eventId: expect.any(Number),
      subscriptionId: expect.any(Number),
      portalId: DEMO.portalId,
      appId: DEMO.appId,
      occurredAt: Date.parse(res.json.createdAt),
      subscriptionType: 'contact.creation',
      attemptNumber: 0,
      objectId: Number(res.json.id),
      changeSource: 'API',
      sourceId: String(DEMO.appId),
      changeFlag: 'NEW',
    });
    const changes = events().filter((e) => e.subscriptionType === 'contact.propertyChange');
    expect(changes.map((e) => [e.propertyName, e.propertyValue]).sort()).toEqual([
      ['email', 'hook@example.org'],
      ['firstname', 'Hook'],
    ]);
  });

  it('reuses eventIds across subscriptions: eventId alone is not unique', async () => {
    await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'a1@example.org' } });
    await flush();
    const [creation, change] = [
      events().find((e) => e.subscriptionType === 'contact.creation'),
      events().find((e) => e.propertyName === 'email'),
    ];
    expect(creation?.eventId).toBe(change?.eventId);
    expect(creation?.subscriptionId).not.toBe(change?.subscriptionId);
  });

  it('sends at most 100 events per request', async () => {
    const inputs = Array.from({ length: 100 }, (_, i) => ({
      properties: { email: `bulk${i}@example.org`, firstname: 'Bulk' },
    }));
    expect((await call('POST', '/crm/v3/objects/contacts/batch/create', { inputs })).status).toBe(201);
    await flush();
    expect(events()).toHaveLength(300);
    expect(deliveries.length).toBeGreaterThanOrEqual(3);
    for (const d of deliveries) expect(d.events.length).toBeLessThanOrEqual(100);
  });

  it('raises deletion, deal propertyChange and CRM_UI events from admin edits', async () => {
    const deal = server
      .org()
      .state.store.order.deals.find((id) => !server.org().state.store.get('deals', id)?.archived) as string;
    await call('PATCH', `/crm/v3/objects/deals/${deal}`, { properties: { dealstage: 'closedwon' } });
    await call('DELETE', `/crm/v3/objects/deals/${deal}`);
    await call('POST', '/__sandbox/orgs/default/records/contacts', { email: 'ui@example.org' }, null);
    await flush();
    expect(events()).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subscriptionType: 'deal.propertyChange',
          propertyName: 'dealstage',
          propertyValue: 'closedwon',
          objectId: Number(deal),
        }),
        expect.objectContaining({ subscriptionType: 'deal.deletion', objectId: Number(deal) }),
        expect.objectContaining({ subscriptionType: 'contact.creation', changeSource: 'CRM_UI' }),
      ]),
    );
  });

  it('retries a failed delivery with attemptNumber incremented and a fresh signature', async () => {
    script = [500, 503];
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'Retry' }, null);
    await flush();
    expect(deliveries).toHaveLength(3);
    expect(deliveries.map((d) => d.events[0]?.attemptNumber)).toEqual([0, 1, 2]);
    const last = deliveries[2] as Delivery;
    const ts = last.headers['x-hubspot-request-timestamp'] as string;
    const v3 = crypto
      .createHmac('sha256', DEMO.clientSecret)
      .update(`POST${targetUrl}${last.body}${ts}`)
      .digest('base64');
    expect(last.headers['x-hubspot-signature-v3']).toBe(v3);
  });

  it('retries 4xx answers by default (current doc)', async () => {
    script = [404];
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'Retry4xx' }, null);
    await flush();
    expect(deliveries).toHaveLength(2);
  });
});

describe('webhook options and fault knobs', () => {
  it('does not retry 4xx when webhookRetry4xx is off (older docs), but still retries 5xx', async () => {
    await setup({ webhookRetry4xx: false });
    script = [400];
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'NoRetry' }, null);
    await flush();
    expect(deliveries).toHaveLength(1);
    script = [500];
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'Retry5xx' }, null);
    await flush();
    expect(deliveries).toHaveLength(3);
  });

  it('takes its retry rules from the portal settings, changeable at run time', async () => {
    await setup();
    const settings = (patch: Record<string, unknown>) =>
      call('PATCH', '/__sandbox/orgs/default/settings', patch, null);
    expect((await settings({ webhookRetry4xx: false })).status).toBe(200);
    script = [400];
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'No4xxRetry' }, null);
    await flush();
    expect(deliveries).toHaveLength(1);

    expect((await settings({ webhookRetry4xx: true, webhookRetries: 2 })).status).toBe(200);
    deliveries = [];
    script = [400, 500, 500, 500];
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'TwoRetries' }, null);
    await flush();
    expect(deliveries.map((d) => d.events[0]?.attemptNumber)).toEqual([0, 1, 2]);

    const policy = server.org().webhooks?.retryPolicy;
    expect((await settings({ webhookRetryScheduleMs: [5, 70_000] })).status).toBe(200);
    const delays = server.org().webhooks?.retryPolicy;
    expect(delays).not.toBe(policy);
    expect([1, 2, 3].map((n) => delays?.retryDelay?.(n))).toEqual([5, 70_000, 70_000]);
    // Bad values are refused and change nothing; settings survive a reset.
    expect((await settings({ webhookRetryScheduleMs: [] })).status).toBe(400);
    expect((await settings({ webhookRetries: -1 })).status).toBe(400);
    await call('POST', '/__sandbox/orgs/default/reset', {}, null);
    expect(server.org().webhooks?.retryPolicy.retries).toBe(2);
    expect(server.org().webhooks?.retryPolicy.retryDelay?.(2)).toBe(70_000);
  });

  it('closing the sandbox cancels retries pending to a dead receiver instead of waiting out the schedule', async () => {
    // HubSpot's default schedule (about 110 s over 10 retries) and a target nobody listens on.
    await setup({ webhookRetryDelayMs: defaultRetryDelay });
    const dead = http.createServer();
    await new Promise<void>((resolve) => dead.listen(0, '127.0.0.1', resolve));
    const deadUrl = `http://127.0.0.1:${(dead.address() as AddressInfo).port}/gone`;
    await new Promise((resolve) => dead.close(resolve));
    await call(
      'PUT',
      `/webhooks/v3/${DEMO.appId}/settings?hapikey=${DEMO.developerApiKey}`,
      { targetUrl: deadUrl },
      null,
    );
    await call('POST', '/__sandbox/orgs/default/records/contacts', { lastname: 'Unreachable' }, null);
    const hooks = server.org().webhooks!;
    // Wait (no deadline asserted) for the first attempt to fail and its retry to be scheduled.
    while (hooks.scheduledRetries === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(hooks.deliveries()).toEqual([expect.objectContaining({ url: deadUrl, attempt: 1, status: 0 })]);
    const enqueued = hooks.stats.enqueued;
    expect(enqueued).toBeGreaterThan(0);

    await live.close();
    expect(hooks.scheduledRetries).toBe(0);
    expect(hooks.stats).toMatchObject({ delivered: 0, failed: 0, cancelled: enqueued });
    expect(hooks.deliveries()).toHaveLength(1);
    expect(deliveries).toHaveLength(0);
  });

  it('webhookDropRate drops events', async () => {
    await setup();
    await call('PATCH', '/__sandbox/orgs/default/faults', { webhookDropRate: 1 }, null);
    await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'dropped@example.org' } });
    const stats = await flush();
    expect(deliveries).toHaveLength(0);
    expect(stats.json.stats.dropped).toBe(2);
  });

  it('webhookDuplicateRate delivers every event twice', async () => {
    await setup();
    await call('PATCH', '/__sandbox/orgs/default/faults', { webhookDuplicateRate: 1 }, null);
    await call('POST', '/crm/v3/objects/contacts', { properties: { email: 'twice@example.org' } });
    await flush();
    expect(events()).toHaveLength(4);
    expect(new Set(events().map((e) => JSON.stringify(e))).size).toBe(2);
  });

  it('webhookReorder shuffles events', async () => {
    await setup();
    await call('PATCH', '/__sandbox/orgs/default/faults', { webhookReorder: true }, null);
    const inputs = Array.from({ length: 30 }, (_, i) => ({ properties: { lastname: `R${i}` } }));
    await call('POST', '/crm/v3/objects/contacts/batch/create', { inputs });
    await flush();
    const ids = events()
      .filter((e) => e.subscriptionType === 'contact.creation')
      .map((e) => e.objectId as number);
    expect(ids).toHaveLength(30);
    expect(ids).not.toEqual([...ids].sort((a, b) => a - b));
  });
});

function liveId(): string {
  const store = server.org().state.store;
  return store.order.contacts.find((id) => !store.get('contacts', id)?.archived) as string;
}
