import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
beforeAll(async () => {
  s = await startSalesforce({ Account: 5, Contact: 120, Opportunity: 10 });
  // Jobs stay InProgress for a minute of sandbox time; tests move the org clock instead of sleeping.
  await s.admin('PATCH', 'default/settings', { bulkProcessingMs: 60_000 });
});
afterAll(() => s.close());

async function poll(kind: 'ingest' | 'query', id: string): Promise<Record<string, unknown>> {
  await s.admin('PUT', 'default/clock', { advanceMs: 60_000 });
  const info = (await s.sf('GET', `${V}/jobs/${kind}/${id}`)).json;
  expect(['JobComplete', 'Failed', 'Aborted']).toContain(info.state);
  return info;
}

describe('Bulk API 2.0 ingest (Part A10.1)', () => {
  it('runs create → upload → UploadComplete → poll → results with the documented shapes', async () => {
    const create = await s.sf('POST', `${V}/jobs/ingest`, {
      body: { object: 'Contact', operation: 'insert', lineEnding: 'LF', columnDelimiter: 'PIPE' },
    });
    expect(create.status).toBe(200);
    const job = create.json;
    expect(job).toMatchObject({
      object: 'Contact',
      operation: 'insert',
      state: 'Open',
      contentType: 'CSV',
      concurrencyMode: 'Parallel',
      apiVersion: 62,
      columnDelimiter: 'PIPE',
      jobType: 'V2Ingest',
    });
    expect(job.id).toMatch(/^750/);
    expect(job.contentUrl).toBe(`services/data/v62.0/jobs/ingest/${String(job.id)}/batches`);

    const upload = await s.sf('PUT', `${V}/jobs/ingest/${String(job.id)}/batches`, {
      raw: 'LastName|Email|Description\nPipe|pipe@example.com|"has | a pipe"\n|nolast@example.com|x\n',
      headers: { 'content-type': 'text/csv' },
    });
    expect(upload.status).toBe(201);
    expect(upload.text).toBe('');
    expect(
      (
        await s.sf('PUT', `${V}/jobs/ingest/${String(job.id)}/batches`, {
          raw: 'LastName\nX\n',
          headers: { 'content-type': 'text/csv' },
        })
      ).status,
    ).toBe(409);

    const closed = await s.sf('PATCH', `${V}/jobs/ingest/${String(job.id)}`, {
      body: { state: 'UploadComplete' },
    });
    expect(closed.json.state).toBe('UploadComplete');
    expect((await s.sf('GET', `${V}/jobs/ingest/${String(job.id)}`)).json.state).toBe('InProgress');
    const done = await poll('ingest', job.id);
    expect(done).toMatchObject({ state: 'JobComplete', numberRecordsProcessed: 2, numberRecordsFailed: 1 });

    const ok = await s.sf('GET', `${V}/jobs/ingest/${String(job.id)}/successfulResults`);
    expect(ok.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = ok.text.trim().split('\n');
    expect(lines[0]).toBe('"sf__Id"|"sf__Created"|"LastName"|"Email"|"Description"');
    expect(lines[1]).toMatch(/^"003\w{15}"\|"true"\|"Pipe"\|"pipe@example.com"\|"has \| a pipe"$/);
    const failed = await s.sf('GET', `${V}/jobs/ingest/${String(job.id)}/failedResults`);
    expect(failed.text).toContain(
      '"REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --"',
    );
    const unprocessed = await s.sf('GET', `${V}/jobs/ingest/${String(job.id)}/unprocessedrecords`);
    expect(unprocessed.text.trim()).toBe('"LastName"|"Email"|"Description"');
    expect((await s.sf('DELETE', `${V}/jobs/ingest/${String(job.id)}`)).status).toBe(204);
    expect((await s.sf('GET', `${V}/jobs/ingest/${String(job.id)}`)).status).toBe(404);
  });

  it('fails a job whose CSV names an unknown field, and validates job creation', async () => {
    const job = (await s.sf('POST', `${V}/jobs/ingest`, { body: { object: 'Contact', operation: 'update' } }))
      .json;
    await s.sf('PUT', `${V}/jobs/ingest/${String(job.id)}/batches`, {
      raw: 'Id,Nope__c\n003000000000000AAA,1\n',
      headers: { 'content-type': 'text/csv' },
    });
    await s.sf('PATCH', `${V}/jobs/ingest/${String(job.id)}`, { body: { state: 'UploadComplete' } });
    const done = await poll('ingest', job.id);
    expect(done).toMatchObject({
      state: 'Failed',
      errorMessage: 'InvalidBatch : Field name not found : Nope__c',
    });
    const noExt = await s.sf('POST', `${V}/jobs/ingest`, {
      body: { object: 'Contact', operation: 'upsert' },
    });
    expect(noExt.status).toBe(400);
    expect(Array.isArray(noExt.json)).toBe(true);
    expect(
      (await s.sf('POST', `${V}/jobs/ingest`, { body: { object: 'Contact', operation: 'merge' } })).status,
    ).toBe(400);
    const aborted = (
      await s.sf('POST', `${V}/jobs/ingest`, { body: { object: 'Contact', operation: 'insert' } })
    ).json;
    expect(
      (await s.sf('PATCH', `${V}/jobs/ingest/${String(aborted.id)}`, { body: { state: 'Aborted' } })).json
        .state,
    ).toBe('Aborted');
  });
});

describe('Bulk API 2.0 query (Part A10.2)', () => {
  it('answers 412 before completion, then pages CSV results with Sforce-Locator until "null"', async () => {
    const create = await s.sf('POST', `${V}/jobs/query`, {
      body: { operation: 'query', query: 'SELECT Id, LastName, Account.Name FROM Contact ORDER BY Id' },
    });
    expect(create.status).toBe(200);
    expect(create.json).toMatchObject({
      operation: 'query',
      object: 'Contact',
      state: 'UploadComplete',
      jobType: 'V2Query',
    });
    const id = String(create.json.id);
    const early = await s.sf('GET', `${V}/jobs/query/${id}/results`);
    expect(early.status).toBe(412);
    expect(early.json[0].errorCode).toBe('JOB_NOT_COMPLETE');
    await poll('query', id);
    const expected = [...s.server.org().state.store.table('Contact').values()].filter(
      (r) => !r.IsDeleted,
    ).length;
    const rows: string[] = [];
    let locator: string | null = '';
    let pages = 0;
    while (locator !== 'null') {
      const res = await s.sf(
        'GET',
        `${V}/jobs/query/${id}/results?maxRecords=50${locator ? `&locator=${locator}` : ''}`,
        { headers: { accept: 'text/csv' } },
      );
      expect(res.status).toBe(200);
      const lines = res.text.trim().split('\n');
      expect(lines[0]).toBe('"Id","LastName","Account.Name"');
      expect(Number(res.headers.get('sforce-numberofrecords'))).toBe(lines.length - 1);
      rows.push(...lines.slice(1));
      locator = res.headers.get('sforce-locator');
      pages++;
    }
    expect(rows).toHaveLength(expected);
    expect(pages).toBe(Math.ceil(expected / 50));
    expect((await s.sf('GET', `/services/data/v61.0/jobs/query/${id}/results`)).status).toBe(409);
    expect(
      (await s.sf('POST', `${V}/jobs/query`, { body: { operation: 'query', query: 'SELECT FROM' } })).json[0]
        .errorCode,
    ).toBe('MALFORMED_QUERY');
  });

  it('includes deleted records for queryAll jobs', async () => {
    const id = String(
      (
        await s.sf('POST', `${V}/jobs/query`, {
          body: { operation: 'queryAll', query: 'SELECT Id FROM Contact WHERE IsDeleted = true' },
        })
      ).json.id,
    );
    await poll('query', id);
    const res = await s.sf('GET', `${V}/jobs/query/${id}/results`);
    const deleted = [...s.server.org().state.store.table('Contact').values()].filter(
      (r) => r.IsDeleted,
    ).length;
    expect(res.text.trim().split('\n')).toHaveLength(deleted + 1);
    expect(res.headers.get('sforce-locator')).toBe('null');
  });

  it('refuses what a query job does not support (COUNT(), OFFSET), as Salesforce documents', async () => {
    for (const query of ['SELECT COUNT() FROM Contact', 'SELECT Id FROM Contact OFFSET 5']) {
      const res = await s.sf('POST', `${V}/jobs/query`, { body: { operation: 'query', query } });
      expect(res.status).toBe(400);
    }
  });

  it('deletes a job seven days after it ended: its results and info are then 404 NOT_FOUND', async () => {
    const id = String(
      (
        await s.sf('POST', `${V}/jobs/query`, {
          body: { operation: 'query', query: 'SELECT Id FROM Contact' },
        })
      ).json.id,
    );
    await poll('query', id);
    await s.admin('PUT', 'default/clock', { advanceMs: 6 * 24 * 60 * 60 * 1000 });
    expect((await s.sf('GET', `${V}/jobs/query/${id}/results?maxRecords=1`)).status).toBe(200);
    await s.admin('PUT', 'default/clock', { advanceMs: 24 * 60 * 60 * 1000 });
    const gone = await s.sf('GET', `${V}/jobs/query/${id}/results?maxRecords=1`);
    expect(gone.status).toBe(404);
    expect(gone.json[0].errorCode).toBe('NOT_FOUND');
    expect((await s.sf('GET', `${V}/jobs/query/${id}`)).status).toBe(404);
  });
});
