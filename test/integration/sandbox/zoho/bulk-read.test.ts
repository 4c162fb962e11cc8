import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import { unzipOne } from '../../../../src/zip';
import { requestJson } from '../../../support/http-json';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: Bulk Read', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 60, Deals: 5 }, { bulkReadMs: 30_000 });
  });
  afterAll(async () => {
    await z.live.close();
  });

  const bulk = (method: string, path: string, body?: unknown) =>
    // Bodies are asserted field by field; a loose type keeps those assertions short.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    requestJson<any>(`${z.live.baseUrl}/dc/eu/api/crm/bulk/v8${path}`, method, {
      body,
      headers: { authorization: `Zoho-oauthtoken ${z.token}` },
    });

  it('adds a job, reports it ADDED until its time, then COMPLETED with a zip of one CSV', async () => {
    const org = z.server.org();
    const gold = org.state.store.all('Contacts').filter((c) => c.values.Customer_Tier === 'Gold');
    const created = await bulk('POST', '/read', {
      query: {
        module: { api_name: 'Contacts' },
        fields: ['Last_Name', 'Email', 'Owner'],
        criteria: { field: { api_name: 'Customer_Tier' }, comparator: 'equal', value: 'Gold' },
      },
    });
    expect(created.status).toBe(201);
    const job = created.json.data[0] as { code: string; details: { id: string; state: string } };
    expect(job).toMatchObject({ code: 'ADDED_SUCCESSFULLY', details: { state: 'ADDED' } });
    const early = await bulk('GET', `/read/${job.details.id}`);
    expect(early.json.data[0]).toMatchObject({ state: 'ADDED' });
    expect((await bulk('GET', `/read/${job.details.id}/result`)).status).toBe(404);
    org.clock.advance(30_000);
    try {
      const done = await bulk('GET', `/read/${job.details.id}`);
      expect(done.json.data[0]).toMatchObject({
        state: 'COMPLETED',
        result: {
          count: gold.length,
          download_url: `/crm/bulk/v8/read/${job.details.id}/result`,
          more_records: false,
        },
      });
      const res = await fetch(`${z.live.baseUrl}/dc/eu/api/crm/bulk/v8/read/${job.details.id}/result`, {
        headers: { authorization: `Zoho-oauthtoken ${z.token}` },
      });
      expect(res.headers.get('content-type')).toBe('application/zip');
      const file = unzipOne(Buffer.from(await res.arrayBuffer()), 1 << 20);
      expect(file.name).toBe(`${job.details.id}.csv`);
      const lines = file.content.toString('utf8').trim().split('\n');
      expect(lines[0]).toBe('id,Last_Name,Email,Owner');
      expect(
        lines
          .slice(1)
          .map((l) => l.split(',')[0])
          .sort(),
      ).toEqual(gold.map((c) => c.id).sort());
    } finally {
      org.clock.setOffset(0);
    }
  });

  it('calls the callback URL when the job completes, and refuses unknown fields and jobs', async () => {
    z.server.patchSettings('default', { bulkReadMs: 0 });
    const hits: unknown[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hits.push(JSON.parse(body));
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb`;
      const arrived = new Promise<void>((resolve) =>
        receiver.once('request', (req) => req.on('end', () => resolve())),
      );
      const created = await bulk('POST', '/read', {
        callback: { url, method: 'post' },
        query: { module: { api_name: 'Deals' }, fields: ['Deal_Name'] },
      });
      await arrived;
      expect(hits).toEqual([
        expect.objectContaining({
          job_id: created.json.data[0].details.id,
          operation: 'read',
          state: 'COMPLETED',
        }),
      ]);
      const bad = await bulk('POST', '/read', { query: { module: { api_name: 'Deals' }, fields: ['Nope'] } });
      expect(bad.status).toBe(400);
      expect((await bulk('GET', '/read/1234567000000000001')).json).toMatchObject({
        code: 'RESOURCE_NOT_FOUND',
      });
    } finally {
      await new Promise((resolve) => receiver.close(resolve));
    }
  });
});
