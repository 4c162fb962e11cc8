import { z } from 'zod';
import { ACTIVE_CURRENCIES } from './picklists';

/** API versions served by default (docs/vendors/salesforce.md "Hosts and API versions": "accept any v31.0…v68.0"). */
export const SF_VERSIONS = { min: 31, max: 68 } as const;

/**
 * Per-org Salesforce settings. Defaults follow docs/vendors/salesforce.md; the behaviours its
 * documentation leaves open are settings precisely so a test can flip them when the truth is known.
 */
export const salesforceSettingsSchema = z
  .object({
    /** Oldest API version served; older ones answer 410 (v21–v30 retired as of Summer '25). @defaultValue 31 */
    minVersion: z.number().min(7).default(SF_VERSIONS.min),
    /**
     * Newest version served; newer ones answer 404 like an unknown resource. docs/vendors/salesforce.md "Hosts and API versions" recommends
     * accepting up to v68.0: Winter '27 is in preview and the docs' examples already call it.
     * @defaultValue 68
     */
    maxVersion: z.number().default(SF_VERSIONS.max),
    /**
     * Rolling-24 h API allocation. 100,000 + 1,000 × licences for Enterprise; 150,000 models a
     * 50-licence org. (Developer Edition's 15,000 is UNVERIFIED.) @defaultValue 150000
     */
    dailyApiRequests: z.number().int().min(0).default(150_000),
    /**
     * The rolling window `dailyApiRequests` is counted over: 24 h at Salesforce. A benchmark scales it
     * (60000: the allocation is per minute, the same figure set on the connection's
     * `settings.budgets.daily`), so sustained load meets the limit in minutes, not in a day. Usage is
     * kept in 24 buckets of a 24th of the window, as the hourly buckets of the real window.
     * @defaultValue 86400000
     */
    apiWindowMs: z
      .number()
      .int()
      .min(1000)
      .default(24 * 3600_000),
    /** A request running this long counts as "long". @defaultValue 20000 (documented) */
    longRequestMs: z.number().int().min(1).default(20_000),
    /** Concurrent long requests allowed (25 production, 5 Developer Edition). @defaultValue 25 */
    concurrentLongRequests: z.number().int().min(0).default(25),
    /** Access-token lifetime: the org session timeout, 2 h by default. Not reported to clients (no expires_in). */
    sessionTimeoutMs: z
      .number()
      .int()
      .min(1)
      .default(2 * 3600_000),
    /** Refresh-token rotation: each refresh grant returns a new refresh token and revokes the old. @defaultValue false */
    rotateRefreshTokens: z.boolean().default(false),
    /** UNVERIFIED (docs/vendors/salesforce.md "Record rows and upsert"): upsert-update answers 200 + body on v46+, else 204. @defaultValue true */
    upsertUpdateReturns200: z.boolean().default(true),
    /** UNVERIFIED (docs/vendors/salesforce.md "Bulk API 2.0"): HTTP status of Bulk 2.0 job create. @defaultValue 200 */
    bulkJobCreateStatus: z.number().int().default(200),
    /** UNVERIFIED (docs/vendors/salesforce.md "Bulk API 2.0"): results requested before JobComplete → 412 + body (or 204). @defaultValue 412 */
    bulkResultsNotReadyStatus: z.union([z.literal(412), z.literal(204)]).default(412),
    /** How long a Bulk 2.0 job stays InProgress after UploadComplete (simulated processing). @defaultValue 50 */
    bulkProcessingMs: z.number().int().min(0).default(50),
    /**
     * How long a query cursor and its results stay readable after the query ran: two days since API
     * v56.0, for every version (docs/vendors/salesforce.md, "Query cursors"). @defaultValue 172800000
     */
    queryCursorLifetimeMs: z
      .number()
      .int()
      .min(1)
      .default(2 * 24 * 3600_000),
    /** Before v56.0: a cursor expired after 15 minutes unused (900000). null: no idle expiry. @defaultValue null */
    queryCursorIdleMs: z.number().int().min(1).nullable().default(null),
    /** Before v56.0: 10 open cursors per user, the oldest released. null: no limit (v56.0+). @defaultValue null */
    maxOpenQueryCursorsPerUser: z.number().int().min(1).nullable().default(null),
    /**
     * Before v56.0: "use a given queryLocator only once". Today's docs say nothing of re-reading a
     * position (UNVERIFIED), so re-reading is allowed unless this is set. @defaultValue false
     */
    singleUseQueryLocators: z.boolean().default(false),
    /** Undocumented (UNVERIFIED): a cursor is dropped once its last batch is served. @defaultValue false */
    dropFinishedQueryCursors: z.boolean().default(false),
    /** UNVERIFIED (docs/vendors/salesforce.md "OAuth"): whether client_credentials is accepted (docs use the My Domain host). @defaultValue true */
    allowClientCredentials: z.boolean().default(true),
    /**
     * The certificate's public key (PEM) uploaded to the connected app for the JWT bearer grant;
     * null = no certificate, so the grant fails as unapproved. @defaultValue null
     */
    jwtPublicKeyPem: z.string().nullable().default(null),
    /**
     * The org's currency, `Organization.DefaultCurrencyIsoCode`: every amount of a single-currency org
     * is in it; in a multi-currency org it is the corporate currency, one of {@link ACTIVE_CURRENCIES}.
     * @defaultValue 'USD'
     */
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, 'an ISO 4217 code in capitals, e.g. "EUR"')
      .default('USD'),
    /**
     * Multi-currency enabled: Account, Contact and Opportunity gain a CurrencyIsoCode field (absent,
     * and INVALID_FIELD in SOQL, otherwise). Salesforce cannot turn it off once on; the sandbox can,
     * for tests. @defaultValue false
     */
    multiCurrency: z.boolean().default(false),
  })
  .strict()
  .refine((s) => !s.multiCurrency || (ACTIVE_CURRENCIES as readonly string[]).includes(s.currency), {
    message: `a multi-currency org's currency must be one of its active currencies: ${ACTIVE_CURRENCIES.join(', ')}`,
    path: ['currency'],
  });

export type SalesforceSettings = z.infer<typeof salesforceSettingsSchema>;

/** Limits that are documented facts, not settings. */
export const SF_LIMITS = {
  queryBatchDefault: 2000,
  queryBatchMin: 200,
  queryBatchMax: 2000,
  maxOffset: 2000,
  collectionsWrite: 200,
  /** Type chunks per collections write (docs/vendors/salesforce.md "sObject Collections"). */
  collectionsChunks: 10,
  collectionsRetrieveGet: 800,
  collectionsRetrievePost: 2000,
  compositeSubrequests: 25,
  compositeCollectionsOrQueries: 5,
  updatedWindowDays: 30,
  deletedWindowDays: 15,
  replicationMaxIds: 600_000,
  bulkQueryDefaultMaxRecords: 50_000,
  /** Ended Bulk 2.0 jobs are deleted this long after they end (docs/vendors/salesforce.md "Bulk API 2.0 query jobs"). */
  bulkJobRetentionMs: 7 * 24 * 60 * 60 * 1000,
} as const;
