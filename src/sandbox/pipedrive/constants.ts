// Pipedrive facts the sandbox relies on, in one place (docs/vendors/pipedrive.md, section per constant).

/** Path prefixes of the two API versions; v1 is also served without `/api` (the SDK's v1 base). */
export const API_V1 = '/api/v1';
export const API_V1_SHORT = '/v1';
export const API_V2 = '/api/v2';
/** A company domain in the sandbox is a path prefix: `${baseUrl}/c/<domain>` stands for `https://<domain>.pipedrive.com`. */
export const COMPANY_PREFIX = '/c';

/** docs/vendors/pipedrive.md "Persons" / "Deals": list paging and filters. */
export const LIST = { defaultLimit: 100, maxLimit: 500, maxIds: 100, maxCustomFields: 15 } as const;
/** docs/vendors/pipedrive.md "Search": term length and page size. */
export const SEARCH = { minTermLength: 2, defaultLimit: 100, maxLimit: 500 } as const;
/** docs/vendors/pipedrive.md "Persons": deleted records are purged this long after deletion. */
export const PURGE_AFTER_MS = 30 * 24 * 3600_000;

/** docs/vendors/pipedrive.md "Authentication": OAuth token lifetimes. */
export const OAUTH = {
  accessTokenTtlSeconds: 3599,
  codeTtlMs: 5 * 60_000,
  refreshIdleTtlMs: 60 * 24 * 3600_000,
  scopes: 'base,deals:full,contacts:full',
  grants: ['authorization_code', 'refresh_token', 'exchange_api_token'],
} as const;

/** docs/vendors/pipedrive.md "Rate limits": plan → budget multiplier and 2-second burst per token kind. */
export const PLANS = {
  lite: { multiplier: 1, apiTokenBurst: 20, oauthBurst: 80 },
  growth: { multiplier: 2, apiTokenBurst: 40, oauthBurst: 160 },
  professional: { multiplier: 4, apiTokenBurst: 80, oauthBurst: 320 },
  premium: { multiplier: 5, apiTokenBurst: 100, oauthBurst: 400 },
  ultimate: { multiplier: 7, apiTokenBurst: 120, oauthBurst: 480 },
} as const;
export type PlanName = keyof typeof PLANS;
export const BASE_DAILY_TOKENS = 30_000;
export const BURST_WINDOW_MS = 2000;
export const SEARCH_BURST = 10;

/** docs/vendors/pipedrive.md "Rate limits": token cost per call kind and API version. */
export const TOKEN_COSTS = {
  v1: { get: 2, list: 20, create: 10, update: 10, delete: 6, search: 40 },
  v2: { get: 1, list: 10, create: 5, update: 5, delete: 3, search: 20 },
} as const;
export type CallKind = keyof (typeof TOKEN_COSTS)['v2'];

/**
 * docs/vendors/pipedrive.md "Deal participants": what each v1 participants endpoint costs, as the API
 * reference's Deals page states per endpoint (`Cost`). The list is priced below a v1 list (20): 10.
 */
export const PARTICIPANT_COSTS = { list: 10, add: 10, delete: 6 } as const;

/** docs/vendors/pipedrive.md "Webhooks": retry schedule, ban rule, timeout, per-user cap. */
export const WEBHOOK = {
  retryScheduleMs: [3000, 30_000, 150_000],
  banAfterFirstAttemptFailures: 10,
  banMs: 30 * 60_000,
  timeoutMs: 10_000,
  maxPerUser: 40,
} as const;

/** The demo company of the `default` org (and the shape of every other org's). */
export const DEMO = {
  clientId: 'sandbox-pipedrive-client',
  clientSecret: 'sandbox-pipedrive-secret',
  redirectUri: 'http://localhost:3000/oauth/pipedrive/callback',
} as const;

export const ERROR_INFO = 'Please check developers.pipedrive.com for more information about Pipedrive API.';

export const DEFAULT_COUNTS = { persons: 200, deals: 80 } as const;

/** Largest JSON body an API route reads; Pipedrive's own limit is undocumented (UNVERIFIED). */
export const MAX_BODY_BYTES = 1024 * 1024;
