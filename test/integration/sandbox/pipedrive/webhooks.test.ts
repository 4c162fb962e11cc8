// Webhooks created through /v1/webhooks and the admin target, delivered to a real local receiver:
// v2 and v1 bodies, HTTP Basic auth, meta.attempt over the 3-retry schedule, the ban after 10 failed
// first attempts (lifted 30 minutes later on the company clock), and merge events.
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { startPipedrive, V2, type Started } from './helpers';

interface Delivery {
  at: number;
  authorization: string | undefined;
  body: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

interface Receiver {
  url: string;
  got: Delivery[];
  /** Status to answer for the nth delivery (0-based). */
  answer: (n: number) => number;
  close(): Promise<void>;
}

async function listen(): Promise<Receiver> {
  const rx: Receiver = { url: '', got: [], answer: () => 200, close: async () => undefined };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const n = rx.got.length;
      rx.got.push({
        at: Date.now(),
        authorization: req.headers.authorization,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Delivery['body'],
      });
      res.writeHead(rx.answer(n)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  rx.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  rx.close = () => new Promise((resolve) => server.close(() => resolve()));
  return rx;
}

async function waitFor(check: () => boolean, ms = 4000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 15));
  }
}

describe('pipedrive sandbox: webhooks', () => {
  let s: Started;
  let rx: Receiver;
  beforeEach(async () => {
    s = await startPipedrive(
      { persons: 5, deals: 3 },
      { burstLimit: 100_000, webhookRetryScheduleMs: [40, 120, 240] },
    );
    rx = await listen();
  });
  afterEach(async () => {
    await s.live.close();
    await rx.close();
  });

  async function subscribe(body: Record<string, unknown>): Promise<number> {
    const res = await s.call('POST', '/v1/webhooks', { body: { subscription_url: rx.url, ...body } });
    expect(res.status).toBe(201);
    return res.json.data.id as number;
  }

  it('keeps the documented 3/30/150 s schedule unless a test shortens it', async () => {
    const fresh = await startPipedrive({ persons: 1, deals: 1 });
    try {
      expect(fresh.server.org().state.settings.webhookRetryScheduleMs).toEqual([3000, 30_000, 150_000]);
    } finally {
      await fresh.live.close();
    }
  });

  it('delivers v2 create/change/delete bodies with HTTP Basic auth', async () => {
    const id = await subscribe({
      event_action: '*',
      event_object: 'person',
      http_auth_user: 'hook',
      http_auth_password: 's3cret',
      name: 'persons',
    });
    const listed = await s.call('GET', '/v1/webhooks');
    expect(listed.json.data).toMatchObject([{ id, version: '2.0', http_auth_password: '***' }]);
    const person = (
      await s.call('POST', `${V2}/persons`, { body: { name: 'Hook Me', emails: [{ value: 'h@x.example' }] } })
    ).json.data;
    await s.call('PATCH', `${V2}/persons/${person.id as number}`, { body: { name: 'Hooked' } });
    await s.call('DELETE', `${V2}/persons/${person.id as number}`);
    await s.call('POST', `${V2}/deals`, { body: { title: 'not a person event' } });
    await waitFor(() => rx.got.length >= 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(rx.got).toHaveLength(3);
    const byAction = Object.fromEntries(rx.got.map((d) => [d.body.meta.action as string, d]));
    for (const d of rx.got)
      expect(d.authorization).toBe(`Basic ${Buffer.from('hook:s3cret').toString('base64')}`);
    expect(byAction.create?.body).toMatchObject({
      meta: {
        entity: 'person',
        entity_id: String(person.id),
        version: '2.0',
        attempt: 1,
        change_source: 'api',
        webhook_id: String(id),
      },
      data: { id: person.id, name: 'Hook Me' },
      previous: null,
    });
    // The name's parts follow it, so they changed too.
    expect(byAction.change?.body.previous).toEqual({ name: 'Hook Me', first_name: 'Hook', last_name: 'Me' });
    expect(byAction.change?.body.data.name).toBe('Hooked');
    expect(byAction.delete?.body.data).toBeNull();
    expect(byAction.delete?.body.previous).toMatchObject({ id: person.id, name: 'Hooked' });
  });

  it('retries a failing receiver 3 times with meta.attempt 1..4 on the schedule', async () => {
    rx.answer = (n) => (n < 3 ? 500 : 200);
    await subscribe({ event_action: 'create', event_object: 'deal' });
    await s.call('POST', `${V2}/deals`, { body: { title: 'retry me' } });
    await waitFor(() => rx.got.length >= 4);
    expect(rx.got.map((d) => d.body.meta.attempt)).toEqual([1, 2, 3, 4]);
    const gaps = rx.got.slice(1).map((d, i) => d.at - (rx.got[i] as Delivery).at);
    expect(gaps[0]).toBeGreaterThanOrEqual(35);
    expect(gaps[1]).toBeGreaterThanOrEqual(110);
    expect(gaps[2]).toBeGreaterThanOrEqual(230);
    expect(new Set(rx.got.map((d) => d.body.meta.id)).size).toBe(1);
  });

  it('waits 3, 30 and 150 s between attempts on the company clock', async () => {
    s.server.patchSettings('default', { webhookRetryScheduleMs: [3000, 30_000, 150_000] });
    rx.answer = (n) => (n < 3 ? 503 : 200);
    const id = await subscribe({ event_action: 'create', event_object: 'person' });
    // The sandbox's own record of an attempt: its answer was read and the wait for the next began (the
    // receiver sees a request before the sandbox has its answer, so the clock must not move before this).
    const attemptsLogged = () => s.server.org().state.webhooks.hooks.get(id)!.dispatcher.deliveries().length;
    await s.call('POST', `${V2}/persons`, { body: { name: 'Clocked' } });
    await waitFor(() => rx.got.length === 1 && attemptsLogged() === 1);
    const clock = s.server.org().clock;
    for (const [stepMs, attempts] of [
      [3000, 2],
      [30_000, 3],
      [150_000, 4],
    ] as const) {
      await waitFor(() => attemptsLogged() === attempts - 1);
      clock.advance(stepMs - 500);
      await new Promise((r) => setTimeout(r, 120));
      expect(rx.got).toHaveLength(attempts - 1);
      clock.advance(600);
      await waitFor(() => rx.got.length === attempts);
    }
    expect(rx.got.map((d) => d.body.meta.attempt)).toEqual([1, 2, 3, 4]);
  });

  it('bans a webhook after 10 failed first attempts and lifts the ban 30 minutes later', async () => {
    s.server.patchSettings('default', { webhookRetryScheduleMs: [1, 1, 1] });
    rx.answer = () => 500;
    await subscribe({ event_action: 'create', event_object: 'person' });
    for (let i = 0; i < 10; i++) {
      await s.call('POST', `${V2}/persons`, { body: { name: `Fail ${i}` } });
      await waitFor(() => rx.got.length >= (i + 1) * 4);
    }
    await s.call('POST', `${V2}/persons`, { body: { name: 'Lost while banned' } });
    await new Promise((r) => setTimeout(r, 150));
    expect(rx.got).toHaveLength(40);
    expect(rx.got.filter((d) => d.body.meta.attempt === 1)).toHaveLength(10);
    rx.answer = () => 200;
    s.server.org().clock.advance(30 * 60_000 + 1000);
    await s.call('POST', `${V2}/persons`, { body: { name: 'After the ban' } });
    await waitFor(() => rx.got.length === 41);
    expect(rx.got[40]?.body.data.name).toBe('After the ban');
  });

  it('sends v1 bodies to a version 1.0 webhook', async () => {
    await subscribe({ event_action: 'change', event_object: 'deal', version: '1.0' });
    await s.call('PATCH', `${V2}/deals/1`, { body: { title: 'v1 please' } });
    await waitFor(() => rx.got.length >= 1);
    expect(rx.got[0]?.body).toMatchObject({
      v: 1,
      event: 'updated.deal',
      retry: 0,
      meta: { action: 'updated', object: 'deal', id: 1 },
      current: { id: 1, title: 'v1 please' },
    });
    expect(typeof rx.got[0]?.body.previous.title).toBe('string');
  });

  it('announces a merge as a delete with merged_to_id and a change with merged_from_id', async () => {
    await subscribe({ event_action: '*', event_object: 'person' });
    await s.call('PUT', '/v1/persons/2/merge', { body: { merge_with_id: 3 } });
    await waitFor(() => rx.got.length >= 2);
    const del = rx.got.find((d) => d.body.meta.action === 'delete');
    const change = rx.got.find((d) => d.body.meta.action === 'change');
    expect(del?.body.meta).toMatchObject({ entity_id: '2', merged_to_id: '3' });
    expect(change?.body.meta).toMatchObject({ entity_id: '3', merged_from_id: '2' });
  });

  it('delivers UI edits to the admin target with change_source app, and refuses bad subscriptions', async () => {
    s.server.org().webhooks!.target = { url: rx.url };
    s.server.vendor.records.create(s.server.org(), 'persons', { name: 'From the UI' });
    await waitFor(() => rx.got.length >= 1);
    expect(rx.got[0]?.body.meta).toMatchObject({ action: 'create', change_source: 'app', webhook_id: '0' });
    for (const bad of [
      { event_action: 'create', event_object: 'person' },
      { subscription_url: 'ftp://x', event_action: 'create', event_object: 'person' },
      { subscription_url: rx.url, event_action: 'explode', event_object: 'person' },
      { subscription_url: rx.url, event_action: 'create', event_object: 'person', version: '3.0' },
    ]) {
      const res = await s.call('POST', '/v1/webhooks', { body: bad });
      expect(res.status).toBe(400);
      expect(res.json.success).toBe(false);
    }
    expect((await s.call('DELETE', '/v1/webhooks/424242')).status).toBe(404);
  });
});
