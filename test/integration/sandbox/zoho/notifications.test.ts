import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { updateAt } from '../../../../src/sandbox/zoho';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: watch channels', () => {
  let z: Started;
  let receiver: http.Server;
  let url: string;
  const received: Record<string, unknown>[] = [];
  beforeAll(async () => {
    z = await startZoho({ Contacts: 10, Deals: 3 });
    receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        received.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/zoho`;
  });
  afterAll(async () => {
    await z.live.close();
    await new Promise((resolve) => receiver.close(resolve));
  });
  beforeEach(() => {
    received.length = 0;
  });

  const idle = () => z.server.org().state.watch.idle();

  it('subscribes with a default one-day expiry and echoes the token on each callback', async () => {
    const org = z.server.org();
    const res = await z.call('POST', '/actions/watch', {
      body: {
        watch: [
          {
            channel_id: '1000000068001',
            events: ['Contacts.all', 'Deals.create'],
            notify_url: url,
            token: 'tok-1',
          },
        ],
      },
    });
    expect(res.status).toBe(201);
    expect(res.json.watch[0]).toMatchObject({
      code: 'SUCCESS',
      status: 'success',
      message: 'Successfully subscribed for actions-watch of the given module',
    });
    const expiry = Date.parse(res.json.watch[0].details.events[0].channel_expiry);
    expect(expiry - org.now()).toBeGreaterThan(24 * 3600_000 - 5000);
    expect(expiry - org.now()).toBeLessThanOrEqual(24 * 3600_000);

    const created = await z.call('POST', '/Contacts', { body: { data: [{ Last_Name: 'Watched' }] } });
    const id = created.json.data[0].details.id as string;
    updateAt(org, 'Contacts', id, { Title: 'Head of Things' });
    await z.call('DELETE', `/Contacts/${id}`);
    await z.call('POST', '/Deals', {
      body: { data: [{ Deal_Name: 'Watched deal', Stage: 'Qualification' }] },
    });
    await idle();
    expect(received.map((r) => [r.module, r.operation])).toEqual([
      ['Contacts', 'insert'],
      ['Contacts', 'update'],
      ['Contacts', 'delete'],
      ['Deals', 'insert'],
    ]);
    expect(received[1]).toMatchObject({
      ids: [id],
      channel_id: '1000000068001',
      token: 'tok-1',
      resource_uri: `${z.live.baseUrl}/dc/eu/api/crm/v8/Contacts`,
      affected_fields: [{ [id]: ['Title'] }],
      query_params: {},
      server_time: expect.any(Number),
    });
  });

  it('refuses a token over 50 characters and an expiry past the longest allowed', async () => {
    const res = await z.call('POST', '/actions/watch', {
      body: {
        watch: [
          { channel_id: '7', events: ['Contacts.all'], notify_url: url, token: 'x'.repeat(51) },
          {
            channel_id: '8',
            events: ['Contacts.all'],
            notify_url: url,
            channel_expiry: new Date(z.server.org().now() + 8 * 24 * 3600_000).toISOString(),
          },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.json.watch.map((w: { details: { api_name: string } }) => w.details.api_name)).toEqual([
      'token',
      'channel_expiry',
    ]);
  });

  it('stops calling back once the channel expires, until renewed with PATCH; DELETE disables it', async () => {
    const org = z.server.org();
    await z.call('POST', '/actions/watch', {
      body: {
        watch: [
          {
            channel_id: '55',
            events: ['Deals.edit'],
            notify_url: url,
            token: 't55',
            channel_expiry: new Date(org.now() + 3600_000).toISOString(),
          },
        ],
      },
    });
    const deal = org.state.store.all('Deals')[0]!.id;
    try {
      org.clock.advance(2 * 3600_000);
      updateAt(org, 'Deals', deal, { Next_Step: 'call' });
      await idle();
      expect(received.filter((r) => r.channel_id === '55')).toEqual([]);
      expect(
        (await z.call('GET', '/actions/watch')).json?.watch?.map(
          (w: { channel_id: string }) => w.channel_id,
        ) ?? [],
      ).not.toContain('55');
      const renewed = await z.call('PATCH', '/actions/watch', {
        body: { watch: [{ channel_id: '55', channel_expiry: new Date(org.now() + 3600_000).toISOString() }] },
      });
      expect(renewed.status).toBe(200);
      expect(renewed.json.watch[0].message).toBe('Successfully updated the subscribe details');
      updateAt(org, 'Deals', deal, { Next_Step: 'meet' });
      await idle();
      expect(received.filter((r) => r.channel_id === '55')).toEqual([
        expect.objectContaining({ operation: 'update', token: 't55', ids: [deal] }),
      ]);
      const del = await z.call('DELETE', '/actions/watch?channel_ids=55');
      expect(del.status).toBe(200);
      expect(del.json.watch).toEqual([
        {
          code: 'SUCCESS',
          details: {
            resource_uri: expect.stringMatching(/\/crm\/v8\/Deals$/),
            resource_id: '2',
            channel_id: '55',
          },
          message: 'Successfully un-subscribed from actions-watch',
          status: 'success',
        },
      ]);
      updateAt(org, 'Deals', deal, { Next_Step: 'close' });
      await idle();
      expect(received.filter((r) => r.channel_id === '55')).toHaveLength(1);
    } finally {
      org.clock.setOffset(0);
    }
  });

  it('lists one entry per channel and module, narrowed by channel_id and module; PATCH takes a bare channel too', async () => {
    const org = z.server.org();
    const expiry = new Date(org.now() + 3600_000).toISOString();
    await z.call('POST', '/actions/watch', {
      body: {
        watch: [{ channel_id: '61', events: ['Contacts.create', 'Deals.all'], notify_url: url, token: 'a' }],
      },
    });
    const one = await z.call('GET', '/actions/watch?channel_id=61');
    expect(
      one.json.watch.map((w: { resource_name: string; events: string[] }) => [w.resource_name, w.events]),
    ).toEqual([
      ['Contacts', ['Contacts.create']],
      ['Deals', ['Deals.all']],
    ]);
    const deals = await z.call('GET', '/actions/watch?channel_id=61&module=Deals');
    expect(deals.json.watch).toEqual([
      expect.objectContaining({ channel_id: '61', resource_name: 'Deals', notify_url: url, token: 'a' }),
    ]);
    expect((await z.call('GET', '/actions/watch?channel_id=404')).status).toBe(204);
    // The OpenAPI file's form: the channel's keys without the `watch` array.
    const bare = await z.call('PATCH', '/actions/watch', {
      body: { channel_id: '61', channel_expiry: expiry },
    });
    expect(bare.status).toBe(200);
    expect(Date.parse(bare.json.watch[0].details.events[0].channel_expiry)).toBe(
      Date.parse(expiry) - (Date.parse(expiry) % 1000),
    );
    await z.call('DELETE', '/actions/watch?channel_ids=61');
  });

  it('refuses what the docs refuse: a missing notify_url, an unsupported module, renewing an unknown channel', async () => {
    const missing = await z.call('POST', '/actions/watch', {
      body: {
        watch: [
          { channel_id: '71', events: ['Contacts.all'] },
          { channel_id: '72', events: ['Leads.all'], notify_url: url },
        ],
      },
    });
    expect(missing.status).toBe(400);
    expect(missing.json.watch).toEqual([
      expect.objectContaining({
        code: 'MANDATORY_NOT_FOUND',
        details: expect.objectContaining({ api_name: 'notify_url' }),
      }),
      expect.objectContaining({
        code: 'INVALID_DATA',
        details: expect.objectContaining({ api_name: 'events' }),
      }),
    ]);
    const unknown = await z.call('PATCH', '/actions/watch', {
      body: {
        watch: [{ channel_id: '404', channel_expiry: new Date(z.server.org().now() + 60_000).toISOString() }],
      },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.json.watch[0]).toMatchObject({
      code: 'INVALID_DATA',
      details: { api_name: 'channel_id' },
    });
    const mixed = await z.call('DELETE', '/actions/watch?channel_ids=404');
    expect(mixed.status).toBe(400);
  });
});
