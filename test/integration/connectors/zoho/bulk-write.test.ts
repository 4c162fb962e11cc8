import { type TokenAccess } from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { resolveVendorHosts, type VendorUrlPolicy } from '../../../../src/connectors/ssrf';
import { type RecordWrite } from '../../../../src/connectors/types';
import { vendorHooks } from '../../../../src/connectors/vendor-access';
import { zoho } from '../../../../src/connectors/zoho';
import { ZohoConnector } from '../../../../src/connectors/zoho/zoho.connector';
import { BULK_WRITE, CRM } from '../../../../src/connectors/zoho/zoho.constants';
import { CrmUpstreamError, CrmValidationError } from '../../../../src/errors';
import { createLogger } from '../../../../src/logger';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { createZohoSandbox, type ZohoServer } from '../../../../src/sandbox/zoho';
import { fieldOfRecord, liveIds } from '../../../../src/sandbox/zoho/admin';

/**
 * The connector's Bulk Write path against the Zoho sandbox over real sockets (docs/vendors/zoho.md
 * "Bulk Write"): the zip uploaded to the DC's file host, the job created, polled and its result zip read
 * back into one result per write in order — and a job the org refuses whole (FAILED) failing every write.
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const N = BULK_WRITE.threshold + 20;
const BAD = 2600;

function connectorOn(server: ZohoServer, live: ListeningSandbox): ZohoConnector {
  const org = server.org();
  const vendorUrls = { auth: `${live.baseUrl}/dc/eu/accounts`, api: `${live.baseUrl}/dc/eu/api` };
  const hosts = resolveVendorHosts(zoho.declaration, vendorUrls, POLICY);
  const tokens: TokenAccess = {
    get: async () => ({ value: org.state.demoToken, expiresAt: null, authKind: 'oauth2_code' }),
    refreshAfterRejection: async () => {
      throw new Error('token refused (401)');
    },
  };
  const http = new VendorHttpClient({
    crm: zoho.declaration.kind,
    baseUrl: hosts.api ?? undefined,
    hooks: vendorHooks(zoho),
    tokens,
    priority: 'background',
  });
  return new ZohoConnector({
    connection: {
      id: `bulk-${Math.random()}`,
      tenantId: 't',
      crm: CRM,
      externalAccountId: null,
      vendorUrls,
      settings: { bulkPollIntervalMs: 50 },
    },
    http,
    tokens,
    logger: createLogger({ level: 'silent' }),
  });
}

const keyed = (run: string): RecordWrite[] =>
  Array.from({ length: N }, (_, i) => ({
    ref: `op-${i}`,
    externalId: { field: 'Gateway_Key', value: `${run}-${i}` },
    fields: { Last_Name: `Bulk ${i}`, Email: i === BAD ? 'not an email' : `bulk${i}@${run}.example` },
  }));

describe('zoho connector: Bulk Write over the sandbox', () => {
  let server: ZohoServer;
  let live: ListeningSandbox;
  beforeAll(async () => {
    server = createZohoSandbox({
      orgs: [
        {
          id: 'default',
          seed: 5,
          counts: { Contacts: 2, Deals: 1 },
          settings: {
            dc: 'eu',
            edition: 'ultimate',
            creditLimit: 1e9,
            concurrencyLimit: 1000,
            bulkWriteMs: 100,
          },
        },
      ],
    });
    live = await server.listen();
  });
  afterAll(async () => {
    await live.close();
  });
  afterEach(() => server.patchSettings('default', { bulkWriteMaxRows: BULK_WRITE.maxRows }));

  const jobsCreated = () => server.org().log.snapshot(0).counters['POST /dc/:dc/api/crm/bulk/v8/write'] ?? 0;

  it('upserts a keyed group as one job; the bad row in the middle fails alone and order is kept', async () => {
    const connector = connectorOn(server, live);
    const before = jobsCreated();
    const results = await connector.upsertRecords('contact', keyed('a'));
    expect(jobsCreated() - before).toBe(1);
    expect(results.map((r) => r.ref)).toEqual(keyed('a').map((w) => w.ref));
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => r.ref)).toEqual([`op-${BAD}`]);
    expect(failed[0]!.ok === false && failed[0]!.error).toBeInstanceOf(CrmValidationError);
    const org = server.org();
    // Each result names the record holding its own key: no row was answered for another.
    for (const i of [0, BAD - 1, BAD + 1, N - 1]) {
      const r = results[i]!;
      expect(r.ok && r.created).toBe(true);
      expect(r.ok && fieldOfRecord(org, 'Contacts', r.remoteId, 'Gateway_Key')).toBe(`a-${i}`);
    }
    expect(liveIds(org, 'Contacts')).toHaveLength(2 + N - 1);

    // The same writes again: the job finds every record by its key, nothing is created twice.
    const again = await connector.upsertRecords('contact', keyed('a'));
    expect(again.filter((r) => r.ok && r.created)).toHaveLength(0);
    expect(again[0]).toMatchObject({ ok: true, remoteId: results[0]!.ok ? results[0]!.remoteId : '' });
    expect(liveIds(org, 'Contacts')).toHaveLength(2 + N - 1);
  });

  it('fails every write of a job the org refuses whole (FAILED: more rows than it takes)', async () => {
    server.patchSettings('default', { bulkWriteMaxRows: N - 1 });
    const connector = connectorOn(server, live);
    const count = liveIds(server.org(), 'Contacts').length;
    const results = await connector.upsertRecords('contact', keyed('b'));
    expect(results).toHaveLength(N);
    expect(results.every((r) => !r.ok && r.error instanceof CrmUpstreamError)).toBe(true);
    expect(results[0]!.ok === false && results[0]!.error.vendorCode).toBe('BULK_JOB_FAILED');
    expect(liveIds(server.org(), 'Contacts')).toHaveLength(count);
  });
});
