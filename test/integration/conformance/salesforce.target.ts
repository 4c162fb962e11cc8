import crypto from 'node:crypto';
import { DELETED_RECORDS_WINDOW_MS } from '../../../src/connectors/salesforce/changes';
import Redis from 'ioredis';
import { CRM_DEFINITIONS } from '../../../src/connectors/registry';
import { type ConnectorDeps, connectorFor } from '../../../src/connectors/context';
import { type RetryPolicyOptions } from '../../../src/connectors/http/retry-policy';
import { type VendorUrlPolicy } from '../../../src/connectors/ssrf';
import { OAuth2Client, oauthRefresher } from '../../../src/connectors/tokens/oauth2-client';
import { type ConnectionEventPublisher, TokenService } from '../../../src/connectors/tokens/token.service';
import { type CrmObject, type NativeValue } from '../../../src/connectors/types';
import { createLogger } from '../../../src/logger';
import { type ListeningSandbox } from '../../../src/sandbox/core';
import { createSalesforceSandbox } from '../../../src/sandbox/salesforce';
import { findObject } from '../../../src/sandbox/salesforce/schema';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type Store, openStore } from '../../../src/store';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { type ConformanceSandbox, type ConformanceTarget } from './target';

/**
 * The Salesforce target of the conformance suite: the Salesforce sandbox behind a real connection — the
 * OAuth web-server flow against the sandbox, the token service on Redis + the gateway's store, the
 * budget gate on Redis, the shared HTTP client built by the framework's context builder with the
 * registered Salesforce hooks, and the registered connector on top. Only the sandbox's data is touched
 * directly (as a CRM user would, at chosen instants).
 */

const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };
const REDIRECT = 'http://127.0.0.1:9/oauth/salesforce/callback';
const SF_OBJECT: Record<CrmObject, string> = { contact: 'Contact', deal: 'Opportunity' };
/** The custom contact fields the connection reads (the suite's custom-field and external-id cases). */
const CUSTOM_FIELDS = ['External_Id__c', 'NPS_Score__c', 'Customer_Tier__c'];

export interface SalesforceConformanceOptions {
  counts: Record<CrmObject, number>;
  /** Connection settings besides the custom fields read (bulk threshold…). */
  settings?: Record<string, unknown>;
  retry?: Partial<RetryPolicyOptions>;
  /** How the connection was authorized. @defaultValue 'oauth2_code' (the web-server flow) */
  auth?: 'oauth2_code' | 'oauth2_client_credentials';
}

export interface SalesforceConformanceSandbox extends ConformanceSandbox {
  /** Creates OpportunityContactRoles (or records) as the org's CRM user, stamped at `at`. */
  createAt(
    obj: CrmObject | 'OpportunityContactRole',
    rows: Record<string, NativeValue>[],
    at: number,
  ): string[];
}

/** Starts a sandbox org and a connection on it; `factory` is the connector under test. */
export async function startSalesforceConformance(
  options: SalesforceConformanceOptions,
): Promise<SalesforceConformanceSandbox> {
  const counts = { Account: 20, Contact: options.counts.contact, Opportunity: options.counts.deal };
  const sandbox = createSalesforceSandbox({ orgs: [{ id: 'default', seed: 11, counts }] });
  const live: ListeningSandbox = await sandbox.listen();
  const org = sandbox.org('default');
  const store: Store = await openStore({
    uri: testStoreUrls().mongodbUri,
    dbName: uniqueName('sfconf'),
    keyRing: new KeyRing([{ kid: 'k', key: crypto.randomBytes(32) }]),
  });
  const redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = uniqueName('sfconf');
  const events: { connectionId: string; status: string }[] = [];
  const publisher: ConnectionEventPublisher = {
    async publishConnectionEvent(_tenantId, event) {
      events.push({ connectionId: event.connectionId, status: event.status });
    },
  };

  const oauth = new OAuth2Client({
    definition: CRM_DEFINITIONS.salesforce,
    hosts: { auth: live.baseUrl, api: null },
    app: { clientId: org.state.clientId, clientSecret: org.state.clientSecret, redirectUri: REDIRECT },
    policy: POLICY,
  });
  const authKind = options.auth ?? 'oauth2_code';
  let grant;
  if (authKind === 'oauth2_code') {
    // The web-server flow, as the gateway's /oauth/salesforce/callback runs it.
    const authorize = await fetch(oauth.authorizeUrl('conformance-state'), { redirect: 'manual' });
    const code = new URL(authorize.headers.get('location') ?? '').searchParams.get('code');
    if (!code) throw new Error(`sandbox authorize did not redirect with a code (HTTP ${authorize.status})`);
    grant = await oauth.exchangeCode(code);
  } else {
    grant = await oauth.clientCredentials();
  }

  const tenant = await store.tenants.create(uniqueName('tenant'));
  const connection = await store.connections.create({
    tenantId: tenant.id,
    crm: 'salesforce',
    displayName: 'Salesforce conformance',
    credentials: {
      authKind,
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      apiBaseUrl: grant.apiBaseUrl,
    },
    externalAccountId: grant.externalAccountId ?? null,
    vendorUrls: { auth: live.baseUrl },
    settings: { fields: { contact: CUSTOM_FIELDS }, ...options.settings },
  });
  const tokens = new TokenService({
    store: store.connections,
    redis,
    prefix,
    events: publisher,
    refresherFor: () => oauthRefresher(oauth),
  });
  const logger = createLogger({ level: 'silent' });
  const admin = (path: string, method = 'POST', body?: unknown) =>
    fetch(`${live.baseUrl}/__sandbox/orgs/default${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then((res) => {
      if (!res.ok) throw new Error(`sandbox admin ${method} ${path}: HTTP ${res.status}`);
    });
  const write = (at: number) => ({ userId: org.state.crmUserId, now: at, mode: 'json' as const });
  const objectOf = (name: string) => {
    const obj = findObject(name);
    if (!obj) throw new Error(`sandbox has no ${name}`);
    return obj;
  };

  const deps: ConnectorDeps = {
    redis,
    prefix,
    tokensFor: (id) => tokens.forConnection(id),
    policy: POLICY,
    logger,
    retry: options.retry,
  };
  const table = (obj: CrmObject) => [...org.state.store.table(SF_OBJECT[obj]).values()];
  const roles = () =>
    [...org.state.store.table('OpportunityContactRole').values()].filter((r) => !r.IsDeleted);

  return {
    // The registered factory, as production resolves it.
    connector: (priority = 'interactive') => connectorFor(connection, priority, deps),
    calls: (route) => org.log.count((key) => route.test(key)),
    clearLog: () => org.log.clear(),
    log: () => org.log.snapshot(org.log.total).entries,
    liveIds: (obj) =>
      table(obj)
        .filter((r) => r.IsDeleted !== true)
        .map((r) => String(r.Id)),
    deletedIds: (obj) =>
      table(obj)
        .filter((r) => r.IsDeleted === true)
        .map((r) => String(r.Id)),
    createAt(obj, rows, at) {
      const name = obj === 'contact' || obj === 'deal' ? SF_OBJECT[obj] : obj;
      return rows.map((fields) => {
        const result = org.state.store.create(objectOf(name), fields, write(at));
        if (!result.success) throw new Error(`sandbox create ${name}: ${JSON.stringify(result.errors)}`);
        return result.id;
      });
    },
    deleteAt(obj, id, at) {
      const result = org.state.store.delete(objectOf(SF_OBJECT[obj]), id, write(at));
      if (!result.success) throw new Error(`sandbox delete ${id}: ${JSON.stringify(result.errors)}`);
    },
    // queryAll sees deleted records with IsDeleted = true; a delete stamps SystemModstamp.
    changedAfter(obj, after) {
      const changed = table(obj).filter((r) => Number(r.SystemModstamp) > after);
      return {
        upserted: changed.filter((r) => r.IsDeleted !== true).map((r) => String(r.Id)),
        deleted: changed.filter((r) => r.IsDeleted === true).map((r) => String(r.Id)),
      };
    },
    associate(contactId, dealId) {
      const result = org.state.store.create(
        objectOf('OpportunityContactRole'),
        { ContactId: contactId, OpportunityId: dealId },
        write(org.now()),
      );
      if (!result.success)
        throw new Error(`sandbox create OpportunityContactRole: ${JSON.stringify(result.errors)}`);
    },
    associated(from, id) {
      const [mine, other] =
        from === 'contact' ? ['ContactId', 'OpportunityId'] : ['OpportunityId', 'ContactId'];
      return [
        ...new Set(
          roles()
            .filter((r) => r[mine] === id)
            .map((r) => String(r[other])),
        ),
      ];
    },
    field: (obj, id, name) => org.state.store.get(SF_OBJECT[obj], id)?.[name],
    now: () => org.now(),
    setFaults: (patch) => admin('/faults', 'PATCH', patch),
    setSettings: (patch) => admin('/settings', 'PATCH', patch),
    expireAccessTokens: () => admin('/tokens/expire'),
    revokeRefreshTokens: () => admin('/tokens/revoke'),
    connectionStatus: async () => (await store.connections.getById(connection.id)).status,
    connectionId: connection.id,
    events,
    async close() {
      await live.close();
      await store.conn.dropDatabase();
      await store.close();
      await redis.quit();
    },
  };
}

export const salesforceTarget: ConformanceTarget<SalesforceConformanceSandbox> = {
  crm: 'salesforce',
  start: (options) => startSalesforceConformance(options),
  routes: {
    // Contacts read Account.Name, a relationship field Collections retrieve cannot select: they are
    // read with SOQL `Id IN (…)`; opportunities through sObject Collections POST retrieve.
    bulkRead: (obj) =>
      obj === 'contact'
        ? /^GET \/services\/data\/:version\/query$/
        : /^POST \/services\/data\/:version\/composite\/sobjects\/:type$/,
    bulkWrite: () => /^(POST|PATCH) \/services\/data\/:version\/composite\/sobjects(\/:type\/:field)?$/,
    // OpportunityContactRole through SOQL.
    associations: () => /^GET \/services\/data\/:version\/query$/,
    token: /^POST \/services\/oauth2\/token$/,
  },
  samples: {
    newRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { LastName: `Conformance${n}`, Email: `conformance${n}@example.com` }
        : { Name: `Deal ${n}`, StageName: 'Prospecting', CloseDate: '2026-12-31', Amount: 1000 },
    // An invalid email (INVALID_EMAIL_ADDRESS); a deal without stage nor close date (REQUIRED_FIELD_MISSING).
    invalidRecord: (obj, n): Record<string, NativeValue> =>
      obj === 'contact'
        ? { LastName: `Invalid${n}`, Email: `not an email ${n}` }
        : { Name: 'No stage nor close date' },
    invalidContactCode: 'INVALID_EMAIL_ADDRESS',
    update: (obj) =>
      obj === 'contact'
        ? { field: 'Title', value: 'Chief Conformance Officer' }
        : { field: 'Name', value: 'Renamed deal' },
    unknownId: (obj) => (obj === 'contact' ? '003000000000000AAA' : '006000000000000AAA'),
    email: { field: 'Email', type: 'email' },
    contactExternalId: 'External_Id__c',
    custom: { field: 'NPS_Score__c', type: 'decimal', value: 9, picklist: 'Customer_Tier__c' },
  },
  // SystemModstamp is compared in whole seconds: `since` is rounded down.
  changesLookbackMs: 999,
  changesWindowMs: DELETED_RECORDS_WINDOW_MS,
  storms: [
    {
      // No Retry-After: the wait told is the time to the gate's next probe (1 s, 2 s, 4 s …).
      name: 'REQUEST_LIMIT_EXCEEDED (403, no Retry-After: the budget gate’s probe schedule)',
      status: 403,
      waitTold: true,
      start: (sb, ms) => sb.setFaults({ rateLimitStormMs: ms }),
    },
  ],
  // The org's daily allocation, reported in Sforce-Limit-Info.
  // The REST paging below the threshold, and a Bulk API 2.0 query job from one record on.
  exportPaths: [
    { name: 'REST query pages', settings: {} },
    { name: 'Bulk API 2.0 query job', settings: { exportBulkThreshold: 1, bulkPollIntervalMs: 20 } },
  ],
  unthrottle: (sb) => sb.setSettings({ dailyApiRequests: 10_000_000 }),
  allocation: { budget: 'daily', set: (sb, perWindow) => sb.setSettings({ dailyApiRequests: perWindow }) },
};
