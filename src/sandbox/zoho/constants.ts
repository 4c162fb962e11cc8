// Zoho CRM facts the sandbox relies on, in one place (docs/vendors/zoho.md, section per constant).

/** docs/vendors/zoho.md "Data centres": the eight DC ids and their production hosts. */
export const DATA_CENTRES = {
  us: {
    accounts: 'https://accounts.zoho.com',
    api: 'https://www.zohoapis.com',
    content: 'https://content.zohoapis.com',
  },
  eu: {
    accounts: 'https://accounts.zoho.eu',
    api: 'https://www.zohoapis.eu',
    content: 'https://content.zohoapis.eu',
  },
  in: {
    accounts: 'https://accounts.zoho.in',
    api: 'https://www.zohoapis.in',
    content: 'https://content.zohoapis.in',
  },
  au: {
    accounts: 'https://accounts.zoho.com.au',
    api: 'https://www.zohoapis.com.au',
    content: 'https://content.zohoapis.com.au',
  },
  jp: {
    accounts: 'https://accounts.zoho.jp',
    api: 'https://www.zohoapis.jp',
    content: 'https://content.zohoapis.jp',
  },
  cn: {
    accounts: 'https://accounts.zoho.com.cn',
    api: 'https://www.zohoapis.com.cn',
    content: 'https://content.zohoapis.com.cn',
  },
  ca: {
    accounts: 'https://accounts.zohocloud.ca',
    api: 'https://www.zohoapis.ca',
    content: 'https://upload.zohocloud.ca',
  },
  sa: {
    accounts: 'https://accounts.zoho.sa',
    api: 'https://www.zohoapis.sa',
    content: 'https://files.zoho.sa',
  },
} as const;
export type DcId = keyof typeof DATA_CENTRES;
export const DC_IDS = Object.keys(DATA_CENTRES) as DcId[];

/**
 * The URL contract of the sandbox (docs/vendors/zoho.md "Data centres"): one origin serves every DC by
 * path prefix, `{origin}/dc/<dc>/accounts`, `{origin}/dc/<dc>/api` and `{origin}/dc/<dc>/content`.
 */
export const DC_PREFIX = '/dc';
export const ACCOUNTS = 'accounts';
export const API = 'api';
export const CONTENT = 'content';
/** The CRM API version the sandbox serves (docs/vendors/zoho.md "API version"). */
export const CRM_V8 = '/crm/v8';
/** The bulk APIs' root (docs/vendors/zoho.md "Bulk Read and Bulk Write"). */
export const BULK_V8 = '/crm/bulk/v8';

/** docs/vendors/zoho.md "OAuth": lifetimes and the token prefix of Zoho's OAuth server. */
export const OAUTH = {
  accessTokenTtlSeconds: 3600,
  codeTtlMs: 2 * 60_000,
  tokenPrefix: '1000.',
  scope: 'ZohoCRM.modules.ALL ZohoCRM.settings.ALL ZohoCRM.users.READ ZohoCRM.org.READ',
} as const;

/** docs/vendors/zoho.md "Listing records": paging and field limits of `GET /{module}`. */
export const LIST = {
  maxPerPage: 200,
  defaultPerPage: 200,
  /** Records reachable with `page` alone (pages 1–10 of 200). */
  discreteLimit: 2000,
  /** Records reachable through consecutive page tokens. */
  tokenLimit: 100_000,
  maxFields: 50,
  maxIds: 100,
  maxPageTokenLength: 96,
} as const;

/** docs/vendors/zoho.md "Writing records" and "Deleting records": records per write call, ids per delete. */
export const WRITE = { maxRecords: 100, maxDeleteIds: 100 } as const;

/** docs/vendors/zoho.md "COQL": LIMIT, OFFSET reach, select columns, WHERE criteria, IN values. */
export const COQL = {
  defaultLimit: 200,
  maxLimit: 2000,
  maxReach: 100_000,
  maxColumns: 50,
  maxCriteria: 25,
  maxInValues: 50,
} as const;

/** docs/vendors/zoho.md "Search": page size and criteria count of `GET /{module}/search`. */
export const SEARCH = { maxPerPage: 200, maxCriteria: 10, maxReach: 2000 } as const;

/**
 * docs/vendors/zoho.md "Rate limits": credits per rolling 24 h by edition (base + per licence, capped),
 * and concurrent calls per org.
 */
export const EDITIONS = {
  free: { base: 5000, perLicence: 0, max: 5000, concurrency: 5 },
  standard: { base: 50_000, perLicence: 250, max: 100_000, concurrency: 10 },
  professional: { base: 50_000, perLicence: 500, max: 3_000_000, concurrency: 15 },
  enterprise: { base: 50_000, perLicence: 1000, max: 5_000_000, concurrency: 20 },
  ultimate: { base: 50_000, perLicence: 2000, max: Number.MAX_SAFE_INTEGER, concurrency: 25 },
} as const;
export type Edition = keyof typeof EDITIONS;
export const CREDIT_WINDOW_MS = 24 * 3600_000;

/**
 * docs/vendors/zoho.md "Bulk Write": records and bytes per file, the job's credits, and the result
 * file's status column values.
 */
export const BULK_WRITE = {
  maxRows: 25_000,
  maxFileBytes: 25 * 1024 * 1024,
  jobCredits: 500,
  /** The file host's upload path (on `{origin}/dc/<dc>/content` in the sandbox). */
  uploadPath: '/crm/v8/upload',
} as const;

/** The demo OAuth client of the sandbox (a multi-DC client: one id for every DC). */
export const DEMO = {
  clientId: '1000.SANDBOXZOHOCRMCLIENT0000000000',
  clientSecret: 'sandbox-zoho-client-secret-0000000000000000',
  redirectUri: 'http://localhost:3000/oauth/zoho/callback',
} as const;

export const MODULES = ['Contacts', 'Deals'] as const;
export type ModuleName = (typeof MODULES)[number];

export const DEFAULT_COUNTS = { Contacts: 200, Deals: 80 } as const;

/** Largest JSON body an API route reads (a 100-record write is far below it). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
