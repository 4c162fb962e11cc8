import { type CrmDeclaration } from '../../config/crms';
import { ACCOUNTS_HOST_PATTERN, API_HOST_PATTERN, DEFAULT_DC, dcTable } from './data-centres';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The pinned API versions: the one place they are spelled. Records, COQL, metadata and notifications
 * are under the CRM version, OAuth under Zoho Accounts' own (docs/vendors/zoho.md "Connector: versions and paths").
 */
export const ZOHO_API_VERSION = { crm: 'v8', oauth: 'v2' } as const;

/** The CRM API root, relative to the connection's API domain. */
export const API_ROOT = `/crm/${ZOHO_API_VERSION.crm}`;

/** Zoho Accounts' OAuth root, relative to the DC's accounts server. */
export const OAUTH_ROOT = `/oauth/${ZOHO_API_VERSION.oauth}`;

/**
 * Endpoint classes, as the credit budget prices them (docs/vendors/zoho.md "Connector: credits and concurrency"): most calls cost one credit; a COQL query costs by its LIMIT; the Bulk Write job 500.
 */
export const ENDPOINT = {
  read: 'read',
  coql200: 'coql.200',
  coql1000: 'coql.1000',
  coql2000: 'coql.2000',
  write: 'write',
  bulkWrite: 'bulk.write',
  /** A Bulk Write upload, its status and its result download: priced at nothing (UNVERIFIED). */
  bulkFile: 'bulk.file',
} as const;

export type EndpointClass = (typeof ENDPOINT)[keyof typeof ENDPOINT];

export const CREDIT_COSTS: Readonly<Record<EndpointClass, number>> = {
  [ENDPOINT.read]: 1,
  [ENDPOINT.coql200]: 1,
  [ENDPOINT.coql1000]: 2,
  [ENDPOINT.coql2000]: 3,
  [ENDPOINT.write]: 1,
  [ENDPOINT.bulkWrite]: 500,
  [ENDPOINT.bulkFile]: 0,
};

/** The COQL class of a query of `limit` rows. */
export function coqlEndpoint(limit: number): EndpointClass {
  if (limit <= 200) return ENDPOINT.coql200;
  return limit <= 1000 ? ENDPOINT.coql1000 : ENDPOINT.coql2000;
}

/**
 * Credits of the smallest paid edition (Standard: 50,000 a rolling day plus 250 per licence, before
 * add-ons): the default until the operator sets the org's real allocation per connection.
 */
export const DEFAULT_DAILY_CREDITS = 50_000;

/** Concurrent calls per org per app on the Standard edition (Free: 5; Ultimate: 25). */
export const DEFAULT_CONCURRENCY = 10;

/** The scopes a connection asks for: records, field metadata, COQL, notifications, Bulk Write, org/users. */
export const ZOHO_SCOPES = [
  'ZohoCRM.modules.contacts.ALL',
  'ZohoCRM.modules.deals.ALL',
  'ZohoCRM.settings.fields.READ',
  'ZohoCRM.settings.layouts.READ',
  'ZohoCRM.settings.pipeline.READ',
  'ZohoCRM.settings.contact_roles.READ',
  'ZohoCRM.coql.READ',
  'ZohoCRM.notifications.ALL',
  'ZohoCRM.bulk.ALL',
  'ZohoCRM.org.READ',
  'ZohoCRM.users.READ',
  'ZohoFiles.files.ALL',
] as const;

const defaultHosts = dcTable(undefined)(DEFAULT_DC);

/**
 * Bulk Write as the write engine uses it (docs/vendors/zoho.md "Bulk Write", "Connector: writes"): a job
 * costs 500 credits where REST writes cost 1 credit per 10 records, so it pays off from 5,000 records
 * of one update or keyed-upsert group; a file holds at most 25,000 records.
 */
export const ZOHO_BULK_WRITE = {
  threshold: 5000,
  maxRecords: 25_000,
  takes: ['byId', 'byKey'],
  timeoutMs: 30 * 60_000,
  pollMs: 2000,
  maxPollMs: 30_000,
} as const;

export const zohoDeclaration: CrmDeclaration = {
  kind: 'zoho',
  displayName: 'Zoho CRM',
  authKinds: ['oauth2_code'],
  authScheme: 'Zoho-oauthtoken',
  // The US DC until the authorization callback names the account's own (`oauth.ts`).
  hosts: { auth: defaultHosts.accounts, api: defaultHosts.api },
  vendorHostPatterns: { auth: ACCOUNTS_HOST_PATTERN, api: API_HOST_PATTERN },
  apiVersion: ZOHO_API_VERSION,
  oauth: {
    // On the connection's accounts server: `oauth.ts` builds both URLs from it.
    authorizePath: `${OAUTH_ROOT}/auth`,
    tokenPath: `${OAUTH_ROOT}/token`,
    tokenHost: 'auth',
    scopes: ZOHO_SCOPES,
    scopeSeparator: ',',
    // A refresh token on the first consent (`access_type=offline`), a new one on every re-consent.
    extraAuthorizeParams: { access_type: 'offline', prompt: 'consent' },
    clientAuth: 'body',
    tokenExpiry: 'expires_in',
  },
  // Reads: `ids` takes 100 per list call; a contact's deals go through one COQL `in` of 50 values.
  // Writes: insert, update, upsert and delete take 100 records per call.
  batch: { read: 100, write: 100, contactDeals: 50, writeEndpoints: { UPSERT: ENDPOINT.write } },
  bulkWrite: ZOHO_BULK_WRITE,
  budgets: [
    {
      // API credits per org over a rolling 24 h, shared by every app and user of the org.
      name: 'credits',
      scope: 'account',
      limit: DEFAULT_DAILY_CREDITS,
      windowMs: DAY_MS,
      costs: CREDIT_COSTS,
    },
  ],
  // Per org per app (docs/vendors/zoho.md "Connector: credits and concurrency").
  concurrentRequests: DEFAULT_CONCURRENCY,
  concurrencyScope: 'account_app',
};
