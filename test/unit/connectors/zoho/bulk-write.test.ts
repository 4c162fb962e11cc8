import {
  CrmNotFoundError,
  CrmUnavailableError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../../../src/errors';
import { type RecordWrite } from '../../../../src/connectors/types';
import { BULK_WRITE } from '../../../../src/connectors/zoho/zoho.constants';
import { unzipOne, zipOne } from '../../../../src/zip';
import nock from '../../../support/nock';
import { API, fieldsOnce, orgOnce, zohoUnit } from './zoho-context';

/** Bulk Write above the threshold (docs/vendors/zoho.md "Bulk Write", "Connector: writes"). */

const CONTENT = 'https://content.zohoapis.eu';
const JOB = '5725767000009876001';
const N = BULK_WRITE.threshold;

const keyed = (n: number): RecordWrite[] =>
  Array.from({ length: n }, (_, i) => ({
    ref: `op-${i}`,
    externalId: { field: 'Gateway_Key', value: `gk-${i}` },
    fields: { Last_Name: `Name ${i}`, Email: i === 1 ? '=cmd|"/c calc"!A1' : `p${i}@acme.example` },
  }));

function resultZip(rows: string[][]): Buffer {
  const lines = [['Gateway_Key', 'Last_Name', 'Email', 'STATUS', 'RECORD_ID', 'ERRORS'], ...rows];
  const csv = lines.map((r) => r.map((c) => `"${c.replace(/"/g, '""')}"`).join(',')).join('\n');
  return zipOne('Contacts-bulkwrite.csv', Buffer.from(`${csv}\n`));
}

/** Upload and job creation answered; returns what was uploaded and the job body. */
function uploadAndCreate(sent: {
  csv?: string;
  job?: Record<string, unknown>;
  headers?: Record<string, string>;
}) {
  nock(CONTENT)
    .post('/crm/v8/upload')
    // The upload names the feature and the org (zgid; the org answer has none, so its id).
    .matchHeader('feature', 'bulk-write')
    .matchHeader('x-crm-org', '20099887766')
    .reply(200, async (req: Request) => {
      // nock 15 hands the reply function the request itself; the multipart body is bytes.
      const raw = Buffer.from(await req.arrayBuffer());
      const start = raw.indexOf('PK\x03\x04', 0, 'latin1');
      sent.csv = unzipOne(raw.subarray(start), 1 << 26).content.toString('utf8');
      return { code: 'FILE_UPLOAD_SUCCESS', details: { file_id: '111' }, status: 'success' };
    });
  nock(API)
    .post('/crm/bulk/v8/write', (b: Record<string, unknown>) => (sent.job = b) !== undefined)
    .reply(201, { status: 'success', code: 'ADDED_SUCCESSFULLY', details: { id: JOB } });
}

describe('upsertRecords through Bulk Write', () => {
  it('runs a keyed group of the threshold as one job and maps each result row back in order', async () => {
    const { connector, budget } = zohoUnit();
    fieldsOnce();
    orgOnce();
    const sent: { csv?: string; job?: Record<string, unknown> } = {};
    uploadAndCreate(sent);
    const rows = Array.from({ length: N }, (_, i) => [`gk-${i}`, `Name ${i}`, '', 'ADDED', `9${i}`, '']);
    rows[1] = ['gk-1', 'Name 1', '', 'SKIPPED', '', 'INVALID_DATA-Email'];
    rows[2] = ['gk-2', 'Name 2', '', 'UPDATED', '92', ''];
    rows[3] = ['gk-3', 'Name 3', '', 'SKIPPED', '', 'DUPLICATE_DATA-Email:MANDATORY_NOT_FOUND-Last_Name'];
    nock(API)
      .get(`/crm/bulk/v8/write/${JOB}`)
      .reply(200, { status: 'ADDED', id: JOB })
      .get(`/crm/bulk/v8/write/${JOB}`)
      .reply(200, { status: 'IN PROGRESS', id: JOB })
      .get(`/crm/bulk/v8/write/${JOB}`)
      .reply(200, {
        status: 'COMPLETED',
        id: JOB,
        result: { download_url: `${CONTENT}/crm/v8/bulk-write/${JOB}/${JOB}.zip` },
      });
    nock(CONTENT).get(`/crm/v8/bulk-write/${JOB}/${JOB}.zip`).reply(200, resultZip(rows), {
      'content-type': 'application/zip',
    });

    const results = await connector.upsertRecords('contact', keyed(N));

    expect(sent.job).toMatchObject({
      operation: 'upsert',
      resource: [
        {
          type: 'data',
          module: { api_name: 'Contacts' },
          file_id: '111',
          find_by: 'Gateway_Key',
          field_mappings: [
            { api_name: 'Gateway_Key', index: 0 },
            { api_name: 'Last_Name', index: 1 },
            { api_name: 'Email', index: 2 },
          ],
        },
      ],
    });
    const lines = sent.csv!.trim().split('\n');
    expect(lines).toHaveLength(N + 1);
    // A formula stays data: quoted as text, never unquoted or rewritten.
    expect(lines[2]).toBe('gk-1,Name 1,"=cmd|""/c calc""!A1"');
    expect(results).toHaveLength(N);
    expect(results[0]).toEqual({ ref: 'op-0', ok: true, remoteId: '90', created: true });
    expect(results[1]).toMatchObject({ ref: 'op-1', ok: false });
    expect(results[1]!.ok === false && results[1]!.error).toBeInstanceOf(CrmValidationError);
    expect(results[2]).toEqual({ ref: 'op-2', ok: true, remoteId: '92', created: false });
    expect(results[3]!.ok === false && results[3]!.error.vendorCode).toBe('DUPLICATE_DATA');
    expect(results[N - 1]).toEqual({ ref: `op-${N - 1}`, ok: true, remoteId: `9${N - 1}`, created: true });
    // One job (500 credits) instead of fifty 100-record calls.
    expect(budget.endpoints.filter((e) => e === 'bulk.write')).toHaveLength(1);
    expect(budget.endpoints.filter((e) => e === 'write')).toHaveLength(0);
    expect(nock.isDone()).toBe(true);
  });

  it('fails every record of a FAILED job, retryably unknown to none, without downloading', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    orgOnce();
    uploadAndCreate({});
    nock(API).get(`/crm/bulk/v8/write/${JOB}`).reply(200, { status: 'FAILED', id: JOB });
    const results = await connector.upsertRecords('contact', keyed(N));
    expect(results.every((r) => !r.ok && r.error instanceof CrmUpstreamError)).toBe(true);
    expect(results[0]!.ok === false && results[0]!.error.vendorCode).toBe('BULK_JOB_FAILED');
    expect(nock.isDone()).toBe(true);
  });

  it('updates by id in a job and types a row Zoho could not find as NOT_FOUND', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    orgOnce();
    const sent: { csv?: string; job?: Record<string, unknown> } = {};
    uploadAndCreate(sent);
    const writes = Array.from({ length: N }, (_, i) => ({
      ref: `u${i}`,
      remoteId: `${1000 + i}`,
      fields: { Last_Name: 'X' },
    }));
    const rows = writes.map((w) => [w.remoteId, 'X', 'UPDATED', w.remoteId, '']);
    rows[5] = ['1005', 'X', 'SKIPPED', '', 'RESOURCE_NOT_FOUND-id'];
    const zip = zipOne(
      'Contacts-bulkwrite.csv',
      Buffer.from(`id,Last_Name,STATUS,RECORD_ID,ERRORS\n${rows.map((r) => r.join(',')).join('\n')}\n`),
    );
    nock(API)
      .get(`/crm/bulk/v8/write/${JOB}`)
      .reply(200, {
        status: 'COMPLETED',
        result: { download_url: `${CONTENT}/crm/v8/bulk-write/${JOB}/${JOB}.zip` },
      });
    nock(CONTENT).get(`/crm/v8/bulk-write/${JOB}/${JOB}.zip`).reply(200, zip);
    const results = await connector.upsertRecords('contact', writes);
    expect(sent.job).toMatchObject({ operation: 'update', resource: [{ find_by: 'id' }] });
    expect(results[4]).toEqual({ ref: 'u4', ok: true, remoteId: '1004', created: false });
    expect(results[5]!.ok === false && results[5]!.error).toBeInstanceOf(CrmNotFoundError);
  });

  it('never sends the token to a download URL that is not Zoho’s', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    orgOnce();
    uploadAndCreate({});
    nock(API)
      .get(`/crm/bulk/v8/write/${JOB}`)
      .reply(200, {
        status: 'COMPLETED',
        result: { download_url: 'https://download.zoho.eu.evil.example/x.zip' },
      });
    const evil = nock('https://download.zoho.eu.evil.example').get('/x.zip').reply(200, 'stolen');
    await expect(connector.upsertRecords('contact', keyed(N))).rejects.toMatchObject({
      vendorCode: 'BULK_RESULT_URL',
    });
    expect(evil.isDone()).toBe(false);
    nock.cleanAll();
  });

  it('fails retryably when the job outlives bulkTimeoutMs', async () => {
    let now = 0;
    const { connector } = zohoUnit({
      settings: { bulkTimeoutMs: 5000, bulkPollIntervalMs: 2000 },
      now: () => (now += 1500),
    });
    fieldsOnce();
    orgOnce();
    uploadAndCreate({});
    nock(API).get(`/crm/bulk/v8/write/${JOB}`).times(10).reply(200, { status: 'IN PROGRESS' });
    await expect(connector.upsertRecords('contact', keyed(N))).rejects.toBeInstanceOf(CrmUnavailableError);
    nock.cleanAll();
  });

  it('keeps a group below the threshold on 100-record REST upserts', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    const calls: number[] = [];
    nock(API)
      .post('/crm/v8/Contacts/upsert', (b: { data: unknown[] }) => calls.push(b.data.length) > 0)
      .times(3)
      .reply(200, async (req: Request) => ({
        data: ((await req.json()) as { data: unknown[] }).data.map((_r, i) => ({
          code: 'SUCCESS',
          status: 'success',
          action: 'insert',
          details: { id: `7${calls.length}${i}` },
        })),
      }));
    const results = await connector.upsertRecords('contact', keyed(250));
    expect(calls).toEqual([100, 100, 50]);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(nock.isDone()).toBe(true);
  });
});

describe('Bulk Write as a delayed job of the engine (submit, then collect)', () => {
  it('submits without polling, answers null while the job runs, then maps rows to any submitted writes by key', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    orgOnce();
    const sent: { csv?: string; job?: Record<string, unknown> } = {};
    uploadAndCreate(sent);
    const writes = keyed(N);
    const ref = await connector.bulkWrites.submit('contact', writes);
    expect(ref).toEqual({ id: JOB, findBy: 'Gateway_Key', operation: 'upsert' });
    expect(sent.job).toMatchObject({ operation: 'upsert', resource: [{ find_by: 'Gateway_Key' }] });

    nock(API).get(`/crm/bulk/v8/write/${JOB}`).reply(200, { status: 'IN PROGRESS', id: JOB });
    expect(await connector.bulkWrites.collect('contact', ref, writes)).toBeNull();

    const rows = Array.from({ length: N }, (_, i) => [`gk-${i}`, `Name ${i}`, '', 'ADDED', `9${i}`, '']);
    rows[7] = ['gk-7', 'Name 7', '', 'SKIPPED', '', 'INVALID_DATA-Email'];
    nock(API)
      .get(`/crm/bulk/v8/write/${JOB}`)
      .reply(200, {
        status: 'COMPLETED',
        result: { download_url: `${CONTENT}/crm/v8/bulk-write/${JOB}/${JOB}.zip` },
      });
    nock(CONTENT).get(`/crm/v8/bulk-write/${JOB}/${JOB}.zip`).reply(200, resultZip(rows));
    // Some of the writes, in another order (a poll after part of the job was recorded).
    const results = await connector.bulkWrites.collect('contact', ref, [writes[9]!, writes[7]!]);
    expect(results![0]).toEqual({ ref: 'op-9', ok: true, remoteId: '99', created: true });
    expect(results![1]!.ok === false && results![1]!.error).toBeInstanceOf(CrmValidationError);
  });

  it('refuses plain creates and a mix of keys before any call', async () => {
    const { connector } = zohoUnit();
    fieldsOnce();
    await expect(
      connector.bulkWrites.submit('contact', [{ ref: 'c', fields: { Last_Name: 'x' } }]),
    ).rejects.toBeInstanceOf(CrmValidationError);
    await expect(
      connector.bulkWrites.submit('contact', [...keyed(2), { ref: 'u', remoteId: '123', fields: {} }]),
    ).rejects.toBeInstanceOf(CrmValidationError);
  });
});
