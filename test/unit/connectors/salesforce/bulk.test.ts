import { parseCsv } from '../../../../src/connectors/salesforce/csv';
import { type RecordWrite } from '../../../../src/connectors/types';
import { DATA, rejection, salesforce, sf, sfId } from './sf-context';

const JOBS = `${DATA}/jobs/ingest`;
const JOB_ID = '7505e00000abcdEAAQ';
const job = (state: string, extra: Record<string, unknown> = {}) => ({
  id: JOB_ID,
  operation: 'upsert',
  object: 'Contact',
  state,
  externalIdFieldName: 'Ext_Id__c',
  contentType: 'CSV',
  apiVersion: 62.0,
  ...extra,
});

const writes: RecordWrite[] = [1, 2, 3].map((n) => ({
  ref: `op-${n}`,
  externalId: { field: 'Ext_Id__c', value: `CUST-${n}` },
  fields:
    n === 2
      ? { LastName: null, Email: 'two@example.com' }
      : { LastName: `Last, "${n}"`, Email: `c${n}@example.com` },
}));

describe('Salesforce Bulk API 2.0 upserts', () => {
  it('creates, uploads, closes and polls the job, then reports each record from the result files', async () => {
    const { connector, slept } = salesforce({ settings: { bulkThreshold: 3, bulkPollIntervalMs: 1000 } });
    let created: Record<string, unknown> = {};
    let csv = '';
    sf()
      .post(JOBS, (b: Record<string, unknown>) => {
        created = b;
        return true;
      })
      .reply(200, job('Open'))
      .put(`${JOBS}/${JOB_ID}/batches`, (b: string) => {
        csv = b;
        return true;
      })
      .matchHeader('content-type', 'text/csv')
      .reply(201)
      .patch(`${JOBS}/${JOB_ID}`, { state: 'UploadComplete' })
      .reply(200, job('UploadComplete'))
      .get(`${JOBS}/${JOB_ID}`)
      .reply(200, job('InProgress'))
      .get(`${JOBS}/${JOB_ID}`)
      .reply(200, job('JobComplete', { numberRecordsProcessed: 3, numberRecordsFailed: 1 }))
      .get(`${JOBS}/${JOB_ID}/successfulResults`)
      .reply(
        200,
        `"sf__Id","sf__Created","Ext_Id__c","LastName","Email"\n"${sfId('003', 3)}","false","CUST-3","Last, ""3""","c3@example.com"\n"${sfId('003', 1)}","true","CUST-1","Last, ""1""","c1@example.com"\n`,
        { 'content-type': 'text/csv' },
      )
      .get(`${JOBS}/${JOB_ID}/failedResults`)
      .reply(
        200,
        `"sf__Id","sf__Error","Ext_Id__c","LastName","Email"\n"","REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --","CUST-2","#N/A","two@example.com"\n`,
        { 'content-type': 'text/csv' },
      );

    const results = await connector.upsertRecords('contact', writes);
    expect(created).toEqual({
      object: 'Contact',
      operation: 'upsert',
      externalIdFieldName: 'Ext_Id__c',
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    });
    expect(parseCsv(csv)).toEqual([
      { Ext_Id__c: 'CUST-1', LastName: 'Last, "1"', Email: 'c1@example.com' },
      { Ext_Id__c: 'CUST-2', LastName: '#N/A', Email: 'two@example.com' },
      { Ext_Id__c: 'CUST-3', LastName: 'Last, "3"', Email: 'c3@example.com' },
    ]);
    expect(slept).toEqual([1000]);
    expect(results[0]).toEqual({ ref: 'op-1', ok: true, remoteId: sfId('003', 1), created: true });
    expect(results[1]).toMatchObject({
      ref: 'op-2',
      ok: false,
      error: { code: 'VALIDATION', vendorCode: 'REQUIRED_FIELD_MISSING', details: { fields: ['LastName'] } },
    });
    expect(results[2]).toEqual({ ref: 'op-3', ok: true, remoteId: sfId('003', 3), created: false });
  });

  it('a Failed job keeps what it processed and fails the rest with the job error', async () => {
    const { connector } = salesforce({ settings: { bulkThreshold: 3 } });
    sf()
      .post(JOBS)
      .reply(200, job('Open'))
      .put(`${JOBS}/${JOB_ID}/batches`)
      .reply(201)
      .patch(`${JOBS}/${JOB_ID}`)
      .reply(200, job('UploadComplete'))
      .get(`${JOBS}/${JOB_ID}`)
      .reply(200, job('Failed', { errorMessage: 'InvalidBatch : Field name not found : Bogus__c' }))
      .get(`${JOBS}/${JOB_ID}/successfulResults`)
      .reply(200, `"sf__Id","sf__Created","Ext_Id__c"\n"${sfId('003', 1)}","true","CUST-1"\n`, {
        'content-type': 'text/csv',
      })
      .get(`${JOBS}/${JOB_ID}/failedResults`)
      .reply(200, `"sf__Id","sf__Error","Ext_Id__c"\n`, { 'content-type': 'text/csv' });
    const results = await connector.upsertRecords('contact', writes);
    expect(results[0]).toMatchObject({ ok: true, remoteId: sfId('003', 1) });
    for (const r of results.slice(1)) {
      expect(r).toMatchObject({ ok: false, error: { code: 'UPSTREAM', vendorCode: 'BULK_JOB_FAILED' } });
      expect(r.ok ? '' : r.error.message).toContain('Field name not found : Bogus__c');
    }
  });

  it('a job still running at the timeout fails retryably, naming the job', async () => {
    let clock = 0;
    const { connector } = salesforce({
      settings: { bulkThreshold: 3, bulkPollIntervalMs: 1000, bulkTimeoutMs: 2500 },
      now: () => clock,
    });
    sf()
      .post(JOBS)
      .reply(200, job('Open'))
      .put(`${JOBS}/${JOB_ID}/batches`)
      .reply(201)
      .patch(`${JOBS}/${JOB_ID}`)
      .reply(200, job('UploadComplete'))
      .get(`${JOBS}/${JOB_ID}`)
      .times(2)
      .reply(200, () => {
        clock += 1000;
        return job('InProgress');
      });
    const err = await rejection(connector.upsertRecords('contact', writes));
    expect(err).toMatchObject({ code: 'UNAVAILABLE', retryable: true, details: { jobId: JOB_ID } });
  });

  it('stays on sObject Collections below the threshold', async () => {
    const { connector } = salesforce({ settings: { bulkThreshold: 4 } });
    sf()
      .patch(`${DATA}/composite/sobjects/Contact/Ext_Id__c`)
      .reply(
        200,
        [1, 2, 3].map((n) => ({ id: sfId('003', n), success: true, errors: [], created: true })),
      );
    const results = await connector.upsertRecords('contact', writes);
    expect(results.every((r) => r.ok)).toBe(true);
  });
});

describe('Salesforce Bulk API 2.0 upserts as a delayed job (submit, then collect)', () => {
  it('submits without waiting, answers null while the job runs, then the results of any submitted writes', async () => {
    const { connector, slept } = salesforce();
    sf()
      .post(JOBS)
      .reply(200, job('Open'))
      .put(`${JOBS}/${JOB_ID}/batches`)
      .reply(201)
      .patch(`${JOBS}/${JOB_ID}`, { state: 'UploadComplete' })
      .reply(200, job('UploadComplete'));
    const ref = await connector.bulkWrites.submit('contact', writes);
    expect(ref).toEqual({ id: JOB_ID, field: 'Ext_Id__c' });
    expect(slept).toEqual([]);

    sf().get(`${JOBS}/${JOB_ID}`).reply(200, job('InProgress'));
    expect(await connector.bulkWrites.collect('contact', ref, writes)).toBeNull();

    sf()
      .get(`${JOBS}/${JOB_ID}`)
      .reply(200, job('JobComplete'))
      .get(`${JOBS}/${JOB_ID}/successfulResults`)
      .reply(
        200,
        `"sf__Id","sf__Created","Ext_Id__c"\n"${sfId('003', 3)}","true","CUST-3"\n"${sfId('003', 1)}","false","CUST-1"\n`,
      )
      .get(`${JOBS}/${JOB_ID}/failedResults`)
      .reply(200, `"sf__Id","sf__Error","Ext_Id__c"\n`);
    // Two of the three, in another order: matched by key, the one no file names is not processed.
    const results = await connector.bulkWrites.collect('contact', ref, [writes[2]!, writes[1]!]);
    expect(results![0]).toEqual({ ref: 'op-3', ok: true, remoteId: sfId('003', 3), created: true });
    expect(results![1]).toMatchObject({ ref: 'op-2', ok: false, error: { vendorCode: 'BULK_JOB_FAILED' } });
  });

  it('refuses a mixed set before any call, and a reference that is not a job id', async () => {
    const { connector } = salesforce();
    await expect(
      connector.bulkWrites.submit('contact', [...writes, { ref: 'u', remoteId: sfId('003', 9), fields: {} }]),
    ).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(
      connector.bulkWrites.collect('contact', { id: '../../sobjects/User', field: 'Ext_Id__c' }, writes),
    ).rejects.toMatchObject({ code: 'UPSTREAM' });
  });
});
