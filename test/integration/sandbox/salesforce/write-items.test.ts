import { startSalesforce, V, type Salesforce } from './helpers';

/** The records each Salesforce write carried, as the request log counts them for bench:writes. */
let s: Salesforce;
beforeEach(async () => {
  s = await startSalesforce({ Account: 2, Contact: 5, Opportunity: 2 });
});
afterEach(() => s.close());

const items = () =>
  s.server
    .org()
    .log.snapshot(100)
    .entries.map((e) => [e.method, e.items]);

describe('Salesforce write sizes in the request log', () => {
  it('counts collection records, bulk upload rows and single writes; reads carry none', async () => {
    const contact = (n: number) => ({ attributes: { type: 'Contact' }, LastName: `W${n}` });
    const created = await s.sf('POST', `${V}/composite/sobjects`, {
      body: { allOrNone: false, records: [contact(1), contact(2), contact(3)] },
    });
    expect(created.status).toBe(200);
    expect((await s.sf('POST', `${V}/sobjects/Contact`, { body: { LastName: 'One' } })).status).toBe(201);
    const job = (
      await s.sf('POST', `${V}/jobs/ingest`, {
        body: { object: 'Contact', operation: 'insert', lineEnding: 'LF' },
      })
    ).json;
    const upload = await s.sf('PUT', `${V}/jobs/ingest/${String(job.id)}/batches`, {
      raw: 'LastName,Description\nA,"two\nlines"\nB,x\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status).toBe(201);
    expect((await s.sf('GET', `${V}/limits`)).status).toBe(200);
    expect(items()).toEqual([
      ['POST', 3],
      ['POST', 1],
      ['POST', undefined],
      ['PUT', 2],
      ['GET', undefined],
    ]);
    expect(s.server.org().log.writeBatchSizes()).toEqual([
      [1, 1],
      [2, 1],
      [3, 1],
    ]);
  });

  it('leaves refused writes out of the batch sizes', async () => {
    await s.admin('PATCH', 'default/settings', { dailyApiRequests: 1 });
    await s.sf('GET', `${V}/limits`);
    const refused = await s.sf('POST', `${V}/sobjects/Contact`, { body: { LastName: 'No' } });
    expect(refused.status).toBe(403);
    expect(items().at(-1)).toEqual(['POST', 1]);
    expect(s.server.org().log.writeBatchSizes()).toEqual([]);
  });
});
