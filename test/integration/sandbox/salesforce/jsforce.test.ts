import { generateKeyPairSync, sign } from 'node:crypto';
// jsforce 3.10.16, unchanged and pointed only at the sandbox's login URL: a real client is the best
// proof that the simulator speaks Salesforce's wire protocol.
import jsforce, { type Connection, type Record as SfRecord } from 'jsforce';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { createSalesforceSandbox } from '../../../../src/sandbox/salesforce';

const REDIRECT = 'http://127.0.0.1:1/oauth/callback';
let sandbox: ReturnType<typeof createSalesforceSandbox>;
let live: ListeningSandbox;
let conn: Connection;
let oauth2: InstanceType<typeof jsforce.OAuth2>;

beforeAll(async () => {
  sandbox = createSalesforceSandbox({
    orgs: [{ id: 'default', seed: 7, counts: { Account: 40, Contact: 2300, Opportunity: 60 } }],
  });
  live = await sandbox.listen();
  const { clientId, clientSecret } = sandbox.org().state;
  oauth2 = new jsforce.OAuth2({ loginUrl: live.baseUrl, clientId, clientSecret, redirectUri: REDIRECT });
});
afterAll(async () => {
  await live.close();
});

describe('jsforce against the Salesforce sandbox', () => {
  it('completes the OAuth web-server flow from the auto-approving authorize page', async () => {
    const res = await fetch(oauth2.getAuthorizationUrl({ state: 'xyz', scope: 'api refresh_token' }), {
      redirect: 'manual',
    });
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(REDIRECT);
    expect(location.searchParams.get('state')).toBe('xyz');
    const code = location.searchParams.get('code') ?? '';
    conn = new jsforce.Connection({ oauth2, version: '62.0' });
    const userInfo = await conn.authorize(code);
    expect(conn.instanceUrl).toBe(live.baseUrl);
    expect(conn.accessToken).toMatch(/^00D\w{12}!/);
    expect(conn.refreshToken).toBeTruthy();
    expect(userInfo.organizationId).toBe(sandbox.org().state.orgId);
    expect(userInfo.id).toBe(sandbox.org().state.crmUserId);
    const identity = await conn.identity();
    expect(identity).toMatchObject({
      user_id: sandbox.org().state.crmUserId,
      organization_id: sandbox.org().state.orgId,
    });
    // The code was single use.
    await expect(conn.authorize(code)).rejects.toMatchObject({ name: 'invalid_grant' });
  });

  it('pages a SOQL query to the end with autoFetch and with queryMore', async () => {
    const live = [...sandbox.org().state.store.table('Contact').values()].filter((r) => !r.IsDeleted).length;
    expect(live).toBeGreaterThan(2000);
    const all = await conn
      .query<SfRecord>('SELECT Id, LastName, Account.Name FROM Contact ORDER BY LastName, Id')
      .run({ autoFetch: true, maxFetch: 10_000 });
    expect(all.totalSize).toBe(live);
    expect(all.records).toHaveLength(live);
    expect(new Set(all.records.map((r) => r.Id)).size).toBe(live);

    const first = await conn.query<SfRecord>('SELECT Id FROM Contact');
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(2000);
    const rest = await conn.queryMore<SfRecord>(first.nextRecordsUrl ?? '');
    expect(rest.done).toBe(true);
    expect(first.records.length + rest.records.length).toBe(live);

    const withDeleted = await conn
      .query<SfRecord>('SELECT Id FROM Contact WHERE IsDeleted = true')
      .scanAll(true)
      .run({ autoFetch: true });
    expect(withDeleted.totalSize).toBeGreaterThan(0);
  });

  it('writes an sObject Collection with one bad record and reports per-record results', async () => {
    const results = await conn
      .sobject('Contact')
      .create(
        [
          { LastName: 'Good One', Email: 'g1@example.com' },
          { FirstName: 'No Last Name' },
          { LastName: 'Good Two' },
        ],
        { allOrNone: false },
      );
    expect(results.map((r) => r.success)).toEqual([true, false, true]);
    const bad = results[1] as {
      success: false;
      errors: { statusCode?: string; errorCode?: string; fields?: string[] }[];
    };
    expect(bad.errors[0]).toMatchObject({ statusCode: 'REQUIRED_FIELD_MISSING', fields: ['LastName'] });
    const ok = results[0] as { id: string };
    const fetched = await conn.sobject('Contact').retrieve(ok.id);
    expect(fetched).toMatchObject({ Id: ok.id, LastName: 'Good One', Email: 'g1@example.com' });
    expect(sandbox.org().log.count('POST /services/data/:version/composite/sobjects')).toBe(1);
  });

  it('describes Contact with picklists, custom fields and the external id', async () => {
    const d = await conn.sobject('Contact').describe();
    expect(d.name).toBe('Contact');
    expect(d.keyPrefix).toBe('003');
    const tier = d.fields.find((f) => f.name === 'Customer_Tier__c');
    expect(tier).toMatchObject({ type: 'picklist', custom: true, restrictedPicklist: true });
    expect(tier?.picklistValues?.map((p) => p.value)).toEqual(['Gold', 'Silver', 'Bronze']);
    expect(d.fields.find((f) => f.name === 'External_Id__c')).toMatchObject({
      externalId: true,
      unique: true,
    });
  });

  it('runs a Bulk 2.0 ingest job and a Bulk 2.0 query job', async () => {
    const results = await conn.bulk2.loadAndWaitForResults({
      object: 'Contact',
      operation: 'upsert',
      externalIdFieldName: 'External_Id__c',
      input:
        'External_Id__c,LastName,Email\nBULK-1,Bulky,bulk1@example.com\nBULK-2,,bulk2@example.com\nBULK-3,Bulkier,not-an-email\n',
      pollInterval: 20,
      pollTimeout: 10_000,
    });
    expect(results.successfulResults).toHaveLength(1);
    expect(results.successfulResults[0]).toMatchObject({
      sf__Created: 'true',
      External_Id__c: 'BULK-1',
      LastName: 'Bulky',
    });
    const failed = results.failedResults as unknown as Record<string, string>[];
    expect(failed.map((r) => r.External_Id__c).sort()).toEqual(['BULK-2', 'BULK-3']);
    expect(failed.find((r) => r.External_Id__c === 'BULK-2')?.sf__Error).toMatch(/^REQUIRED_FIELD_MISSING:/);

    const stream = await conn.bulk2.query(
      "SELECT Id, LastName, Email FROM Contact WHERE External_Id__c = 'BULK-1' OR LastName LIKE 'Good%'",
      {
        pollInterval: 20,
        pollTimeout: 10_000,
      },
    );
    const rows = await new Promise<Record<string, string>[]>((resolve, reject) => {
      const out: Record<string, string>[] = [];
      stream.on('record', (r: Record<string, string>) => out.push(r));
      stream.on('error', reject);
      stream.on('end', () => resolve(out));
    });
    expect(rows.map((r) => r.LastName).sort()).toEqual(['Bulky', 'Good One', 'Good Two']);
    expect(rows[0]).toHaveProperty('Id');
  });

  it('upserts a collection by external id and reads changes back through getUpdated/getDeleted', async () => {
    const start = new Date(sandbox.org().now() - 60_000);
    const upserted = await conn.sobject('Contact').upsert(
      [
        { External_Id__c: 'JSF-1', LastName: 'Upserted' },
        { External_Id__c: 'CUST-000002', LastName: 'Renamed' },
      ],
      'External_Id__c',
    );
    expect(upserted.map((r) => r.success)).toEqual([true, true]);
    const victim = (upserted[0] as { id: string }).id;
    await conn.sobject('Contact').destroy(victim);
    await fetch(`${live.baseUrl}/__sandbox/orgs/default/clock`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceMs: 120_000 }),
    });
    const end = new Date(sandbox.org().now());
    const updated = await conn.sobject('Contact').updated(start, end);
    expect(updated.ids).toEqual(expect.arrayContaining([(upserted[1] as { id: string }).id]));
    const deleted = await conn.sobject('Contact').deleted(start, end);
    expect(deleted.deletedRecords.map((d) => d.id)).toContain(victim);
  });

  it('authorizes with the JWT bearer grant', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const { clientId, username, integrationUserId } = sandbox.org().state;
    await fetch(`${live.baseUrl}/__sandbox/orgs/default/settings`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jwtPublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }),
    });
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const head = `${b64({ alg: 'RS256' })}.${b64({ iss: clientId, sub: username, aud: live.baseUrl, exp: Math.floor(Date.now() / 1000) + 300 })}`;
    const assertion = `${head}.${sign('RSA-SHA256', Buffer.from(head), privateKey).toString('base64url')}`;
    const jwtConn = new jsforce.Connection({ loginUrl: live.baseUrl, version: '62.0' });
    const info = await jwtConn.authorize({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      assertion,
    });
    expect(info.id).toBe(integrationUserId);
    expect((await jwtConn.query('SELECT Id FROM Account LIMIT 1')).records).toHaveLength(1);
  });

  it('refreshes an expired session on 401 and carries on', async () => {
    const before = conn.accessToken;
    await fetch(`${live.baseUrl}/__sandbox/orgs/default/tokens/expire`, { method: 'POST' });
    let refreshed = false;
    conn.on('refresh', () => (refreshed = true));
    const res = await conn.query<SfRecord>('SELECT Id FROM Contact LIMIT 1');
    expect(res.records).toHaveLength(1);
    expect(refreshed).toBe(true);
    expect(conn.accessToken).not.toBe(before);
  });
});
