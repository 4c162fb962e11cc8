import { type CrmDeclaration } from '../../config/crms';

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The pinned API versions: the one place they are spelled. Pipedrive serves persons, deals, their
 * fields and pipelines from API v2; recents and webhooks remain on v1 only
 * (docs/vendors/pipedrive.md "Connector: versions and paths").
 */
export const PIPEDRIVE_API_VERSION = { data: 'v2', legacy: 'v1' } as const;

/** Paths of each API version relative to the connection's API domain. */
export const API_ROOT = {
  v2: `/api/${PIPEDRIVE_API_VERSION.data}`,
  v1: `/api/${PIPEDRIVE_API_VERSION.legacy}`,
} as const;

/**
 * A company's API domain (`https://<company>.pipedrive.com`, what an OAuth token response's
 * `api_domain` names) or the shared `api.pipedrive.com`: one label before `pipedrive.com`. Anything
 * else a token response or a connection names goes through the operator's allowlist
 * (docs/vendors/pipedrive.md "Connector: credentials and hosts").
 */
export const API_DOMAIN_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.pipedrive\.com$/;

/** The OAuth server: one host for every company. */
export const OAUTH_HOST_PATTERN = /^oauth\.pipedrive\.com$/;

/**
 * Endpoint classes, as the daily token budget prices them (docs/vendors/pipedrive.md "Connector: budgets and token costs"): every request names its class (`VendorRequest.endpoint`), and the budget below takes the
 * class's price; the 2-second burst counts each request once whatever it is.
 */
export const ENDPOINT = {
  get: 'v2.get',
  list: 'v2.list',
  create: 'v2.create',
  update: 'v2.update',
  delete: 'v2.delete',
  search: 'v2.search',
  legacyList: 'v1.list',
  legacyGet: 'v1.get',
  /** A deal's participants: a v1 list priced apart from the others (docs/vendors/pipedrive.md "Deal participants"). */
  participants: 'v1.participants',
  legacyCreate: 'v1.create',
  legacyDelete: 'v1.delete',
} as const;

export type EndpointClass = (typeof ENDPOINT)[keyof typeof ENDPOINT];

/** Tokens each endpoint class costs in the daily budget. */
export const TOKEN_COSTS: Readonly<Record<EndpointClass, number>> = {
  [ENDPOINT.get]: 1,
  [ENDPOINT.list]: 10,
  [ENDPOINT.create]: 5,
  [ENDPOINT.update]: 5,
  [ENDPOINT.delete]: 3,
  [ENDPOINT.search]: 20,
  [ENDPOINT.legacyList]: 20,
  [ENDPOINT.legacyGet]: 2,
  [ENDPOINT.participants]: 10,
  [ENDPOINT.legacyCreate]: 10,
  [ENDPOINT.legacyDelete]: 6,
};

/** The daily token allocation per seat before the plan's multiplier. */
export const DAILY_TOKENS_PER_SEAT = 30_000;

export const pipedriveDeclaration: CrmDeclaration = {
  kind: 'pipedrive',
  displayName: 'Pipedrive',
  authKinds: ['static_token', 'oauth2_code'],
  authScheme: 'Bearer',
  // An API token works on the shared host; an OAuth token on the `api_domain` its response names.
  hosts: { auth: 'https://oauth.pipedrive.com', api: 'https://api.pipedrive.com' },
  vendorHostPatterns: { auth: OAUTH_HOST_PATTERN, api: API_DOMAIN_PATTERN },
  tokenApiHost: { field: 'api_domain', hostPattern: API_DOMAIN_PATTERN },
  apiVersion: PIPEDRIVE_API_VERSION,
  oauth: {
    authorizePath: '/oauth/authorize',
    tokenPath: '/oauth/token',
    tokenHost: 'auth',
    // Scopes are chosen on the app's Marketplace page, not in the authorize URL.
    scopes: [],
    scopeSeparator: ' ',
    clientAuth: 'basic',
    tokenExpiry: 'expires_in',
  },
  // Reads: `ids` takes 100 per list call. Writes: Pipedrive has no batch or bulk write for persons or
  // deals, so each record is its own call (docs/vendors/pipedrive.md "Connector: writes and the gateway key").
  // A person's deals are one list call each (`person_id=` takes one id): no batch for that read. A write
  // is priced as its create, delete or PATCH (a link's PATCH is preceded by the reads of its pair).
  batch: {
    read: 100,
    write: 1,
    contactDeals: 1,
    writeEndpoints: {
      UPSERT: ENDPOINT.create,
      DELETE: ENDPOINT.delete,
      LINK: ENDPOINT.update,
      UNLINK: ENDPOINT.update,
    },
  },
  budgets: [
    {
      // A rolling 2-second window per token: 20 requests for an API token on the smallest plan (80
      // through OAuth, up to 480): the smallest as default, corrected by the x-ratelimit-* headers.
      name: 'burst',
      scope: 'connection',
      limit: 20,
      windowMs: 2000,
      headers: {
        style: 'remaining',
        remaining: 'x-ratelimit-remaining',
        limit: 'x-ratelimit-limit',
        reset: 'x-ratelimit-reset',
      },
    },
    {
      // The company's daily token budget: 30,000 × plan multiplier × seats, shared by every token of
      // the company and reset at midnight (counted here as a rolling day). Default: one seat on the
      // smallest plan, corrected by the token headers where Pipedrive sends them.
      name: 'daily',
      scope: 'account',
      limit: DAILY_TOKENS_PER_SEAT,
      windowMs: DAY_MS,
      costs: TOKEN_COSTS,
      headers: {
        style: 'remaining',
        remaining: 'x-daily-ratelimit-token-remaining',
        limit: 'x-daily-ratelimit-token-limit',
      },
    },
    {
      // The search API: 10 requests per 2 seconds on every plan, apart from the burst limit.
      name: 'search',
      scope: 'connection',
      limit: 10,
      windowMs: 2000,
      namedOnly: true,
    },
  ],
  requestIdHeader: 'x-correlation-id',
};
