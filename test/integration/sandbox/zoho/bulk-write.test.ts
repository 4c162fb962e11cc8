import * as http from 'node:http';
import { type AddressInfo } from 'node:net';
import crypto from 'node:crypto';
import { parseCsv } from '../../../../src/sandbox/core/csv';
import { unzipOne, zipOne } from '../../../../src/zip';
import { requestJson } from '../../../support/http-json';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: Bulk Write', () => {
  let z: Started;
  let otherToken: string;
  let otherZgid: string;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 20, Deals: 5 }, { bulkWriteMs: 10_000 });
    const other = z.server.createOrg({ id: 'other', seed: 9, counts: { Contacts: 3, Deals: 1 } });
    otherToken = other.state.demoToken;
    otherZgid = other.state.orgId;
  });
  afterAll(async () => {
    await z.live.close();
  });
  afterEach(() => {
    z.server.org().clock.setOffset(0);
    z.server.patchSettings('default', { bulkWriteMs: 10_000 });
  });

  const org = () => z.server.org();

  async function upload(
    zip: Buffer,
    options: { token?: string; zgid?: string; feature?: string } = {},
  ): Promise<{ status: number; json: { code: string; details: { file_id?: string } } }> {
    const form = new FormData();
    form.append('file', new Blob([zip], { type: 'application/zip' }), 'data.zip');
    const res = await fetch(`${z.live.baseUrl}/dc/eu/content/crm/v8/upload`, {
      method: 'POST',
      headers: {
        authorization: `Zoho-oauthtoken ${options.token ?? z.token}`,
        feature: options.feature ?? 'bulk-write',
        'X-CRM-ORG': options.zgid ?? org().state.orgId,
      },
      body: form,
    });
    return { status: res.status, json: (await res.json()) as never };
  }

  const bulk = (method: string, path: string, body?: unknown, token = z.token) =>
    // Bodies are asserted field by field; a loose type keeps those assertions short.
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    requestJson<any>(`${z.live.baseUrl}/dc/eu/api/crm/bulk/v8${path}`, method, {
      body,
      headers: { authorization: `Zoho-oauthtoken ${token}` },
    });

  const csvZip = (text: string) => zipOne('contacts.csv', Buffer.from(text, 'utf8'));

  function job(fileId: string, extra: Record<string, unknown> = {}, resource: Record<string, unknown> = {}) {
    return {
      operation: 'upsert',
      ...extra,
      resource: [
        {
          type: 'data',
          module: { api_name: 'Contacts' },
          file_id: fileId,
          find_by: 'Gateway_Key',
          field_mappings: [
            { api_name: 'Gateway_Key', index: 0 },
            { api_name: 'Last_Name', index: 1 },
            { api_name: 'Email', index: 2 },
          ],
          ...resource,
        },
      ],
    };
  }

  async function result(downloadUrl: string): Promise<string[][]> {
    const res = await fetch(downloadUrl, { headers: { authorization: `Zoho-oauthtoken ${z.token}` } });
    expect(res.status).toBe(200);
    return parseCsv(unzipOne(Buffer.from(await res.arrayBuffer()), 1 << 20).content.toString('utf8'));
  }

  it('upserts by find_by through ADDED, IN PROGRESS, COMPLETED; a bad row fails alone, in order, with the REST code', async () => {
    const existing = org().state.store.all('Contacts')[0]!;
    org().state.store.update(existing, { Gateway_Key: 'gk-existing' }, org().state.userId);
    const up = await upload(
      csvZip(
        'Gateway_Key,Last_Name,Email\ngk-1,Lovelace,ada@example.com\ngk-2,,bad@example.com\ngk-existing,Renamed,\ngk-4,Hopper,not-an-email\n',
      ),
    );
    expect(up).toMatchObject({ status: 200, json: { code: 'FILE_UPLOAD_SUCCESS' } });
    const spent = org().state.limits.spent(org().now());
    const created = await bulk('POST', '/write', job(up.json.details.file_id!));
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ code: 'ADDED_SUCCESSFULLY', status: 'success' });
    // Documented price: 500 credits a job (docs/vendors/zoho.md "Bulk Write").
    expect(org().state.limits.spent(org().now()) - spent).toBe(500);
    const id = created.json.details.id as string;

    expect((await bulk('GET', `/write/${id}`)).json).toMatchObject({ status: 'ADDED', operation: 'upsert' });
    org().clock.advance(5_000);
    expect((await bulk('GET', `/write/${id}`)).json).toMatchObject({ status: 'IN PROGRESS' });
    org().clock.advance(5_000);
    const done = await bulk('GET', `/write/${id}`);
    expect(done.json).toMatchObject({
      status: 'COMPLETED',
      resource: [{ file: { added_count: 1, updated_count: 1, skipped_count: 2, total_count: 4 } }],
    });
    const rows = await result(done.json.result.download_url as string);
    expect(rows[0]).toEqual(['Gateway_Key', 'Last_Name', 'Email', 'STATUS', 'RECORD_ID', 'ERRORS']);
    expect(rows.slice(1).map((r) => [r[0], r[3], r[5]])).toEqual([
      ['gk-1', 'ADDED', ''],
      ['gk-2', 'SKIPPED', 'MANDATORY_NOT_FOUND-Last_Name'],
      ['gk-existing', 'UPDATED', ''],
      ['gk-4', 'SKIPPED', 'INVALID_DATA-Email'],
    ]);
    expect(rows[3]![4]).toBe(existing.id);
    expect(org().state.store.get('Contacts', rows[1]![4]!)?.values).toMatchObject({
      Last_Name: 'Lovelace',
      Gateway_Key: 'gk-1',
    });
    // An empty cell clears the field (ignore_empty false), as the docs say.
    expect(existing.values).toMatchObject({ Last_Name: 'Renamed', Email: null });

    // The same bad record through the REST insert fails with the same code.
    const rest = await z.call('POST', '/Contacts', {
      body: { data: [{ Last_Name: 'Hopper', Email: 'not-an-email' }] },
    });
    expect(rest.json.data[0]).toMatchObject({ code: 'INVALID_DATA', details: { api_name: 'Email' } });
  });

  it('posts the job to the callback URL when it ends', async () => {
    z.server.patchSettings('default', { bulkWriteMs: 0 });
    const hits: Record<string, unknown>[] = [];
    const receiver = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        hits.push(JSON.parse(body) as Record<string, unknown>);
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/cb`;
      const up = await upload(csvZip('Gateway_Key,Last_Name,Email\ngk-cb,Callback,\n'));
      const created = await bulk(
        'POST',
        '/write',
        job(up.json.details.file_id!, { callback: { url, method: 'post' } }),
      );
      expect(created.status).toBe(201);
      for (let i = 0; i < 100 && hits.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
      expect(hits[0]).toMatchObject({ id: created.json.details.id, status: 'COMPLETED' });
    } finally {
      await new Promise((r) => receiver.close(r));
    }
  });

  it('keeps CSV injection as data: formulas, quotes, commas and line breaks round-trip', async () => {
    z.server.patchSettings('default', { bulkWriteMs: 0 });
    const nasty = '=HYPERLINK("http://evil.example","x"),\r\n+1;@SUM(A1)';
    const quoted = `"${nasty.replace(/"/g, '""')}"`;
    const up = await upload(csvZip(`Gateway_Key,Last_Name,Email\ngk-inj,${quoted},\n`));
    const created = await bulk('POST', '/write', job(up.json.details.file_id!));
    const done = await bulk('GET', `/write/${created.json.details.id}`);
    const rows = await result(done.json.result.download_url as string);
    expect(rows[1]!.slice(0, 2)).toEqual(['gk-inj', nasty]);
    expect(org().state.store.get('Contacts', rows[1]![4]!)?.values.Last_Name).toBe(nasty);
  });

  it('fails a job whose file holds more records than allowed, writing nothing', async () => {
    z.server.patchSettings('default', { bulkWriteMs: 0, bulkWriteMaxRows: 2 });
    try {
      const before = org().state.store.all('Contacts').length;
      const up = await upload(csvZip('Gateway_Key,Last_Name,Email\na,A,\nb,B,\nc,C,\n'));
      const created = await bulk('POST', '/write', job(up.json.details.file_id!));
      const done = await bulk('GET', `/write/${created.json.details.id}`);
      expect(done.json).toMatchObject({ status: 'FAILED', resource: [{ status: 'FAILED' }] });
      expect(done.json.result).toBeUndefined();
      expect(org().state.store.all('Contacts')).toHaveLength(before);
    } finally {
      z.server.patchSettings('default', { bulkWriteMaxRows: 25_000 });
    }
  });

  describe('refusals', () => {
    it('refuses another org’s file, job and org header', async () => {
      const theirs = await upload(csvZip('Gateway_Key,Last_Name,Email\nx,X,\n'), {
        token: otherToken,
        zgid: otherZgid,
      });
      expect(theirs.status).toBe(200);
      const stolen = await bulk('POST', '/write', job(theirs.json.details.file_id!));
      expect(stolen).toMatchObject({
        status: 400,
        json: { code: 'INVALID_DATA', details: { api_name: 'file_id' } },
      });

      const mine = await upload(csvZip('Gateway_Key,Last_Name,Email\ny,Y,\n'));
      const myJob = await bulk('POST', '/write', job(mine.json.details.file_id!));
      const peek = await bulk('GET', `/write/${myJob.json.details.id}`, undefined, otherToken);
      expect(peek).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_FOUND' } });

      const wrongOrg = await upload(csvZip('a\n1\n'), { zgid: otherZgid });
      expect(wrongOrg).toMatchObject({ status: 400, json: { code: 'INVALID_DATA' } });
      const noFeature = await upload(csvZip('a\n1\n'), { feature: 'other' });
      expect(noFeature).toMatchObject({ status: 400, json: { code: 'NOT_SUPPORTED_FEATURE' } });
    });

    it('refuses a wrong module, a missing find_by, a made-up file id and bad mappings', async () => {
      const up = await upload(csvZip('Gateway_Key,Last_Name,Email\nz,Z,\n'));
      const fileId = up.json.details.file_id!;
      expect(
        (await bulk('POST', '/write', job(fileId, {}, { module: { api_name: 'Leads' } }))).json,
      ).toMatchObject({
        code: 'INVALID_MODULE',
      });
      expect((await bulk('POST', '/write', job(fileId, {}, { find_by: undefined }))).json).toMatchObject({
        code: 'MANDATORY_NOT_FOUND',
        details: { api_name: 'find_by' },
      });
      expect((await bulk('POST', '/write', job(fileId, {}, { find_by: 'Last_Name' }))).status).toBe(400);
      expect((await bulk('POST', '/write', job('123456789'))).json).toMatchObject({
        details: { api_name: 'file_id' },
      });
      const badIndex = job(fileId, {}, { field_mappings: [{ api_name: 'Last_Name', index: 9 }] });
      expect((await bulk('POST', '/write', badIndex)).status).toBe(400);
      expect((await bulk('POST', '/write', job(fileId, { operation: 'merge' }))).status).toBe(400);
    });

    it('refuses a file that is no zip, one past the size limit, and a zip bomb', async () => {
      expect(await upload(Buffer.from('Last_Name\nplain csv\n'))).toMatchObject({
        status: 400,
        json: { code: 'INVALID_FILE_FORMAT' },
      });
      // A bomb: 40 MB of one byte deflates to a few tens of kilobytes, but the CSV may hold 25 MB.
      const bomb = zipOne('bomb.csv', Buffer.alloc(40 * 1024 * 1024, 0x41));
      expect(bomb.length).toBeLessThan(200_000);
      expect(await upload(bomb)).toMatchObject({ status: 413, json: { code: 'FILE_TOO_LARGE' } });
      // A bomb that lies about its size in the directory is still stopped while inflating.
      const liar = Buffer.from(bomb);
      const dir = liar.readUInt32LE(liar.length - 6);
      liar.writeUInt32LE(10, dir + 24);
      expect(await upload(liar)).toMatchObject({ status: 413, json: { code: 'FILE_TOO_LARGE' } });

      z.server.patchSettings('default', { bulkWriteMaxFileBytes: 1000 });
      try {
        // Random bytes do not compress: the upload itself is past the limit.
        const big = zipOne('big.csv', crypto.randomBytes(4000));
        expect(big.length).toBeGreaterThan(1000);
        expect(await upload(big)).toMatchObject({ status: 413, json: { code: 'FILE_TOO_LARGE' } });
      } finally {
        z.server.patchSettings('default', { bulkWriteMaxFileBytes: 25 * 1024 * 1024 });
      }
    });
  });
});
