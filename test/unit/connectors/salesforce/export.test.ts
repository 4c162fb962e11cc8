import nock from '../../../support/nock';
import { CrmUpstreamError } from '../../../../src/errors';
import { forgetExportColumnTypes } from '../../../../src/connectors/salesforce/export';
import { DATA, forgetOrgMetadata, salesforce, sf, sfId } from './sf-context';

beforeEach(() => {
  forgetOrgMetadata();
  forgetExportColumnTypes();
});

const QUERY_JOBS = `${DATA}/jobs/query`;
const JOB_ID = '750xx00000000ABAAY';
const COUNT = 'SELECT COUNT() FROM Contact';
const SELECT =
  'SELECT Id, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp, FirstName, LastName, Email, Phone, Title, AccountId, Account.Name, OwnerId FROM Contact';

const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({
  name,
  label: name,
  type,
  custom: false,
  nillable: true,
  createable: true,
  updateable: true,
  ...extra,
});

/** The org's Contact describe (one per header and TTL), and Account's for the `Account.Name` column. */
function describeContactAndAccount(): void {
  sf()
    .get(`${DATA}/sobjects/Contact/describe`)
    .reply(200, {
      name: 'Contact',
      fields: [
        field('Id', 'id'),
        field('IsDeleted', 'boolean'),
        field('CreatedDate', 'datetime'),
        field('LastModifiedDate', 'datetime'),
        field('SystemModstamp', 'datetime'),
        field('FirstName', 'string'),
        field('LastName', 'string'),
        field('Email', 'email'),
        field('Phone', 'phone'),
        field('Title', 'string'),
        field('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
        field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
        field('NumberOfEmployees__c', 'int'),
        field('Score__c', 'double'),
        field('Opt_In__c', 'boolean'),
        field('Birthdate', 'date'),
      ],
    })
    .get(`${DATA}/sobjects/Account/describe`)
    .reply(200, { name: 'Account', fields: [field('Id', 'id'), field('Name', 'string')] });
}

const job = (state: string, extra: Record<string, unknown> = {}) => ({
  id: JOB_ID,
  operation: 'query',
  object: 'Contact',
  state,
  apiVersion: 62.0,
  ...extra,
});

const HEADER =
  '"Id","IsDeleted","CreatedDate","LastModifiedDate","SystemModstamp","FirstName","LastName","Email","Phone","Title","AccountId","Account.Name","OwnerId","NumberOfEmployees__c","Score__c","Opt_In__c","Birthdate"';
const STAMP = '2024-05-20T20:49:32.000Z';
const row = (n: number, cells: Partial<Record<string, string>> = {}) => {
  const c = {
    FirstName: `First${n}`,
    LastName: `Last${n}`,
    Email: `c${n}@example.com`,
    Phone: '',
    Title: '',
    AccountId: '001xx0000000001AAA',
    AccountName: 'Acme',
    Employees: '12',
    Score: '4.5',
    OptIn: 'true',
    Birthdate: '1990-02-03',
    ...cells,
  };
  return [
    sfId('003', n),
    'false',
    STAMP,
    STAMP,
    STAMP,
    c.FirstName,
    c.LastName,
    c.Email,
    c.Phone,
    c.Title,
    c.AccountId,
    c.AccountName,
    '005xx0000000001AAA',
    c.Employees,
    c.Score,
    c.OptIn,
    c.Birthdate,
  ]
    .map((v) => `"${String(v).replace(/"/g, '""')}"`)
    .join(',');
};

const settings = {
  exportBulkThreshold: 3,
  bulkPollIntervalMs: 1000,
  fields: { contact: ['NumberOfEmployees__c', 'Score__c', 'Opt_In__c', 'Birthdate'] },
};

describe('Salesforce exportRecords', () => {
  it('below the threshold: one COUNT(), then REST keyset pages whose cursors carry the total', async () => {
    const { connector } = salesforce();
    const soql: string[] = [];
    const contact = (n: number) => ({
      attributes: { type: 'Contact' },
      Id: sfId('003', n),
      IsDeleted: false,
      LastName: `Last${n}`,
      LastModifiedDate: '2024-05-20T20:49:32.000+0000',
    });
    sf()
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return q.q === COUNT;
      })
      .reply(200, { totalSize: 3, done: true, records: [] })
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return String(q.q).endsWith('ORDER BY Id ASC LIMIT 3') && !String(q.q).includes('Id >');
      })
      .reply(200, { totalSize: 3, done: true, records: [contact(1), contact(2), contact(3)] })
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return String(q.q).includes(`Id > '${sfId('003', 2)}'`);
      })
      .reply(200, { totalSize: 1, done: true, records: [contact(3)] });

    const first = await connector.exportRecords!('contact', { pageSize: 2 });
    expect(first.items.map((r) => r.remoteId)).toEqual([sfId('003', 1), sfId('003', 2)]);
    expect(first.total).toBe(3);
    expect(first.itemCursors).toHaveLength(2);
    // A later page counts nothing: the total travels in the cursor.
    const second = await salesforce().connector.exportRecords!('contact', {
      pageSize: 2,
      cursor: first.nextCursor,
    });
    expect(second.items.map((r) => r.remoteId)).toEqual([sfId('003', 3)]);
    expect(second).toMatchObject({ nextCursor: null, total: 3 });
    expect(soql.filter((q) => q === COUNT)).toHaveLength(1);
    expect(nock.isDone()).toBe(true);
  });

  it('from the threshold: one query job, polled with growing waits, its results typed as REST types them, page by locator', async () => {
    const { connector, slept, budget } = salesforce({ settings });
    let created: Record<string, unknown> = {};
    sf()
      .get(`${DATA}/query`)
      .query({ q: COUNT })
      .reply(200, { totalSize: 4, done: true, records: [] })
      .post(QUERY_JOBS, (b: Record<string, unknown>) => {
        created = b;
        return true;
      })
      .reply(200, job('UploadComplete'))
      .get(`${QUERY_JOBS}/${JOB_ID}`)
      .reply(200, job('InProgress'))
      .get(`${QUERY_JOBS}/${JOB_ID}`)
      .reply(200, job('InProgress'))
      .get(`${QUERY_JOBS}/${JOB_ID}`)
      .reply(200, job('JobComplete', { numberRecordsProcessed: 4 }))
      .get(`${QUERY_JOBS}/${JOB_ID}/results`)
      .query({ maxRecords: '3' })
      .reply(
        200,
        [
          HEADER,
          row(1),
          // Empty cells → null; a relationship with no parent → null, as REST sends it.
          row(2, {
            Email: '',
            AccountId: '',
            AccountName: '',
            Employees: '',
            Score: '',
            OptIn: 'false',
            Birthdate: '',
          }),
          // Commas, quotes and a line break inside quoted values.
          row(3, { LastName: 'O"Brien, Jr.', Title: 'Head of\nSales, "EMEA"' }),
        ].join('\n') + '\n',
        { 'content-type': 'text/csv', 'sforce-locator': 'MTAwMDA', 'sforce-numberofrecords': '3' },
      );
    describeContactAndAccount();

    const first = await connector.exportRecords!('contact', { pageSize: 3 });

    expect(created).toEqual({
      operation: 'query',
      query: SELECT.replace(' FROM', ', NumberOfEmployees__c, Score__c, Opt_In__c, Birthdate FROM'),
      contentType: 'CSV',
      columnDelimiter: 'COMMA',
      lineEnding: 'LF',
    });
    expect(slept).toEqual([1000, 2000]);
    // Every call went through the budget gate, as every other call of the connection does.
    expect(budget.acquired.length).toBeGreaterThanOrEqual(7);
    expect(first.total).toBe(4);
    expect(first.itemCursors).toBeUndefined();
    expect(first.items[0]).toEqual({
      remoteId: sfId('003', 1),
      fields: {
        Id: sfId('003', 1),
        IsDeleted: false,
        CreatedDate: '2024-05-20T20:49:32.000+0000',
        LastModifiedDate: '2024-05-20T20:49:32.000+0000',
        SystemModstamp: '2024-05-20T20:49:32.000+0000',
        FirstName: 'First1',
        LastName: 'Last1',
        Email: 'c1@example.com',
        Phone: null,
        Title: null,
        AccountId: '001xx0000000001AAA',
        Account: { Name: 'Acme' },
        OwnerId: '005xx0000000001AAA',
        NumberOfEmployees__c: 12,
        Score__c: 4.5,
        Opt_In__c: true,
        Birthdate: '1990-02-03',
      },
      updatedAt: '2024-05-20T20:49:32.000+0000',
      isDeleted: false,
    });
    expect(first.items[1]!.fields).toMatchObject({
      Email: null,
      AccountId: null,
      Account: null,
      NumberOfEmployees__c: null,
      Score__c: null,
      Opt_In__c: false,
      Birthdate: null,
    });
    expect(first.items[2]!.fields).toMatchObject({
      LastName: 'O"Brien, Jr.',
      Title: 'Head of\nSales, "EMEA"',
    });
    expect(nock.isDone()).toBe(true);

    // A worker restart: a new connector, no memo of this process. The cursor reads the next locator
    // of the same job — no count, no new job, no poll.
    forgetOrgMetadata();
    forgetExportColumnTypes();
    sf()
      .get(`${QUERY_JOBS}/${JOB_ID}/results`)
      .query({ maxRecords: '3', locator: 'MTAwMDA' })
      .reply(200, `${HEADER}\n${row(4)}\n`, { 'content-type': 'text/csv', 'sforce-locator': 'null' });
    describeContactAndAccount();
    const restarted = salesforce({ settings });
    const second = await restarted.connector.exportRecords!('contact', {
      pageSize: 3,
      cursor: first.nextCursor,
    });
    expect(second.items.map((r) => r.remoteId)).toEqual([sfId('003', 4)]);
    expect(second).toMatchObject({ nextCursor: null, total: 4 });
    expect(restarted.slept).toEqual([]);
    expect(nock.isDone()).toBe(true);
  });

  it('a Failed job is UPSTREAM with the job named; so is a job Salesforce no longer has (404)', async () => {
    const { connector } = salesforce({ settings });
    sf()
      .get(`${DATA}/query`)
      .query({ q: COUNT })
      .reply(200, { totalSize: 9, done: true, records: [] })
      .post(QUERY_JOBS)
      .reply(200, job('UploadComplete'))
      .get(`${QUERY_JOBS}/${JOB_ID}`)
      .reply(200, job('Failed', { errorMessage: 'Query timed out' }));
    const failed = await connector.exportRecords!('contact', {}).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(CrmUpstreamError);
    expect(failed).toMatchObject({
      code: 'UPSTREAM',
      vendorCode: 'BULK_JOB_FAILED',
      details: { jobId: JOB_ID, state: 'Failed' },
    });
    expect((failed as Error).message).toContain('ended Failed: Query timed out; expected JobComplete');

    // A cursor of a job deleted since (jobs are kept seven days).
    const cursor = Buffer.from(
      JSON.stringify({ v: 1, m: 'bulk', t: 9, api: 'v62.0', j: JOB_ID, l: 'MTAwMDA', ready: true }),
    ).toString('base64url');
    sf()
      .get(`${QUERY_JOBS}/${JOB_ID}/results`)
      .query(true)
      .reply(404, [{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
    const gone = await connector.exportRecords!('contact', { cursor }).catch((e: unknown) => e);
    expect(gone).toBeInstanceOf(CrmUpstreamError);
    expect(gone).toMatchObject({ vendorCode: 'BULK_JOB_GONE', details: { jobId: JOB_ID } });
  });

  it('a job still running at bulkTimeoutMs yields an empty page whose cursor polls the same job', async () => {
    let clock = 0;
    const { connector } = salesforce({
      settings: { ...settings, bulkTimeoutMs: 2500 },
      now: () => (clock += 1000),
    });
    sf()
      .get(`${DATA}/query`)
      .query({ q: COUNT })
      .reply(200, { totalSize: 9, done: true, records: [] })
      .post(QUERY_JOBS)
      .reply(200, job('UploadComplete'))
      .get(`${QUERY_JOBS}/${JOB_ID}`)
      .times(2)
      .reply(200, job('InProgress'));
    const waiting = await connector.exportRecords!('contact', {});
    expect(waiting).toMatchObject({ items: [], total: 9 });
    expect(waiting.nextCursor).not.toBeNull();
    expect(nock.isDone()).toBe(true);

    sf()
      .get(`${QUERY_JOBS}/${JOB_ID}`)
      .reply(200, job('JobComplete', { numberRecordsProcessed: 1 }))
      .get(`${QUERY_JOBS}/${JOB_ID}/results`)
      .query({ maxRecords: '10000' })
      .reply(200, `${HEADER}\n${row(1)}\n`, { 'content-type': 'text/csv', 'sforce-locator': 'null' });
    describeContactAndAccount();
    const done = await salesforce({ settings }).connector.exportRecords!('contact', {
      cursor: waiting.nextCursor,
    });
    expect(done).toMatchObject({ nextCursor: null, total: 1 });
    expect(done.items).toHaveLength(1);
  });
});
