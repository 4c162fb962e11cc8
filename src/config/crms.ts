/**
 * Every CRM this gateway speaks, declared as data: the single source for auth kinds, hosts, the pinned
 * API version, batch sizes, default budgets and rate-limit headers. Code reads these values; nothing
 * else in `src/` (outside the sandboxes) spells a vendor host or an API version.
 *
 * Adding a CRM starts here (CONTRIBUTING.md "Adding a CRM"); `test/unit/config/crms.test.ts` fails until
 * the new entry has a connector in the registry, a sandbox, a default mapping and a README section.
 */

/** How a connection authenticates against the vendor. */
export type AuthKind =
  /** OAuth 2.0 authorization-code (web-server) flow, with refresh tokens. */
  | 'oauth2_code'
  /** OAuth 2.0 client-credentials grant: no user, no refresh token — a new token on expiry. */
  | 'oauth2_client_credentials'
  /** A static token the operator pastes (HubSpot private app, Pipedrive API token); never expires. */
  | 'static_token';

/**
 * The unit a vendor counts a budget in. The budget key is built from the connection's identifiers:
 * - `account`: the vendor account (Salesforce org, HubSpot portal, Pipedrive company, Zoho org);
 * - `account_app`: the account and our app together (HubSpot's burst limit is per portal per app);
 * - `connection`: one connection (when the vendor counts per user/credential, e.g. Dataverse).
 */
export type BudgetScope = 'account' | 'account_app' | 'connection';

export interface BudgetDeclaration {
  /** Stable name, part of the Redis key and of metric labels. */
  name: string;
  scope: BudgetScope;
  /**
   * Calls allowed per window until the vendor states its own allocation; a connection may override
   * (`settings.budgets[name]`). A limit the vendor's headers state (`RateLimitHeaders` with a limit)
   * replaces both, up or down: the vendor's stated allocation is the truth.
   */
  limit: number;
  windowMs: number;
  /**
   * Share of `limit` that background work may not use, so a backfill cannot starve interactive reads.
   * @defaultValue 0.2
   */
  interactiveReserve?: number;
  /**
   * Which vendor headers correct this budget. A budget without them is only ours (and corrected by the
   * vendor's 429s).
   */
  headers?: RateLimitHeaders;
  /**
   * Drawn only by requests that name it (`VendorRequest.budgets`), and then instead of the ordinary
   * budgets: for an endpoint the vendor counts apart (HubSpot search, 5/s per portal, outside the
   * burst limit). Ordinary requests skip it.
   * @defaultValue false
   */
  namedOnly?: boolean;
}

/** Vendor response headers that tell how much of a budget is left. Names are matched case-insensitively. */
export type RateLimitHeaders =
  | {
      style: 'remaining';
      remaining: string;
      limit?: string;
      /**
       * How long to hold back when the vendor refuses without `Retry-After`, in `resetUnit`: the time
       * until the window resets, or — for a rolling window whose vendor states only its length (HubSpot
       * `X-HubSpot-RateLimit-Interval-Milliseconds`) — that length, the longest a slot can stay taken.
       * Read by the shared client's `isRateLimited` hook (`http/hooks.ts`).
       */
      reset?: string;
      /**
       * Unit of `reset`; epoch values in either unit are recognised by size (`parseResetHeader`).
       * @defaultValue 's'
       */
      resetUnit?: 's' | 'ms';
    }
  | {
      /** Salesforce `Sforce-Limit-Info: api-usage=18/5000`: used/limit under a key. */
      style: 'usage-ratio';
      header: string;
      key: string;
    };

export interface OAuthDeclaration {
  /** Path of the authorize endpoint on the auth host. */
  authorizePath: string;
  /** Path of the token endpoint, on the host `tokenHost` names. */
  tokenPath: string;
  /** Which declared host serves the token endpoint. */
  tokenHost: 'auth' | 'api';
  /** Scopes requested by default, joined with `scopeSeparator`. */
  scopes: readonly string[];
  scopeSeparator: ' ' | ',';
  /** Extra authorize-URL parameters the vendor needs (e.g. Zoho `access_type=offline`). */
  extraAuthorizeParams?: Readonly<Record<string, string>>;
  /** How the client authenticates at the token endpoint. */
  clientAuth: 'body' | 'basic';
  /**
   * Whether the token response says when the access token expires (`expires_in`). When not (Salesforce),
   * the token service refreshes on 401 instead of ahead of time.
   */
  tokenExpiry: 'expires_in' | 'unknown';
}

export interface CrmDeclaration {
  kind: string;
  displayName: string;
  authKinds: readonly AuthKind[];
  /** Scheme of the `Authorization` header on data calls. */
  authScheme: 'Bearer' | 'Zoho-oauthtoken';
  hosts: {
    /** Default OAuth / identity host (the vendor's real one). Per-connection override: `vendorUrls.auth`. */
    auth: string;
    /**
     * Default API host. `null` when every connection gets its own from the token response (see
     * `tokenApiHost`); per-connection override: `vendorUrls.api`.
     */
    api: string | null;
  };
  /**
   * When the token response names the host to call (Salesforce `instance_url`, Zoho/Pipedrive
   * `api_domain`): the field, and the host pattern a value must match before we send credentials to it.
   */
  tokenApiHost?: { field: string; hostPattern: RegExp };
  /** Pinned API version: the one place it is spelled. */
  apiVersion: ApiVersion;
  oauth?: OAuthDeclaration;
  /** Ids per bulk read (one vendor call) and records per bulk write. */
  batch: { read: number; write: number };
  budgets: readonly BudgetDeclaration[];
  /** Header carrying the vendor's request id (for errors and logs). */
  requestIdHeader?: string;
}

/** A vendor's pinned API version(s); more than one part when the vendor versions its API areas apart. */
export type ApiVersion = Readonly<Record<string, string>>;

/** Default share of each budget kept for interactive reads. */
export const DEFAULT_INTERACTIVE_RESERVE = 0.2;

const DAY_MS = 24 * 60 * 60 * 1000;

export const SALESFORCE_API_VERSION = { data: 'v62.0' } as const;
export const HUBSPOT_API_VERSION = { crm: 'v3', associations: 'v4', oauth: 'v1', accountInfo: 'v3' } as const;

const salesforce: CrmDeclaration = {
  kind: 'salesforce',
  displayName: 'Salesforce',
  authKinds: ['oauth2_code', 'oauth2_client_credentials'],
  authScheme: 'Bearer',
  hosts: { auth: 'https://login.salesforce.com', api: null },
  // My Domain hosts (`acme.my.salesforce.com`), sandboxes (`acme--dev.sandbox.my.salesforce.com`),
  // classic pods (`na1.salesforce.com`) and government cloud (`*.my.salesforce.mil`).
  tokenApiHost: {
    field: 'instance_url',
    hostPattern: /^(?:[a-z0-9-]+\.)+(?:salesforce\.com|salesforce\.mil|force\.com|cloudforce\.com)$/,
  },
  apiVersion: SALESFORCE_API_VERSION,
  oauth: {
    authorizePath: '/services/oauth2/authorize',
    tokenPath: '/services/oauth2/token',
    tokenHost: 'auth',
    scopes: ['api', 'refresh_token'],
    scopeSeparator: ' ',
    clientAuth: 'body',
    // Salesforce sends no expires_in: the session timeout is an org setting (2 h by default).
    tokenExpiry: 'unknown',
  },
  // sObject Collections take ≤ 200 records per write and ≤ 2,000 ids per read; the URL of a GET with
  // 2,000 ids exceeds what Salesforce accepts (414), so reads stay at 200 too.
  batch: { read: 200, write: 200 },
  budgets: [
    {
      // Rolling 24 h per org. 15,000 (the Developer Edition allocation, the smallest there is) holds only
      // until the first answer: `Sforce-Limit-Info: api-usage=N/M` states the org's allocation M, and M
      // replaces this limit, up or down (`lua/budget-correct-1.lua`, field `vlimit`).
      name: 'daily',
      scope: 'account',
      limit: 15000,
      windowMs: DAY_MS,
      headers: { style: 'usage-ratio', header: 'sforce-limit-info', key: 'api-usage' },
    },
  ],
  requestIdHeader: 'x-request-id',
};

const hubspot: CrmDeclaration = {
  kind: 'hubspot',
  displayName: 'HubSpot',
  authKinds: ['oauth2_code', 'static_token'],
  authScheme: 'Bearer',
  hosts: { auth: 'https://app.hubspot.com', api: 'https://api.hubapi.com' },
  apiVersion: HUBSPOT_API_VERSION,
  oauth: {
    authorizePath: '/oauth/authorize',
    // The token endpoint lives on the API host, not on app.hubspot.com.
    tokenPath: `/oauth/${HUBSPOT_API_VERSION.oauth}/token`,
    tokenHost: 'api',
    scopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.deals.read',
      'crm.objects.deals.write',
      'crm.schemas.contacts.read',
      'crm.schemas.deals.read',
    ],
    scopeSeparator: ' ',
    clientAuth: 'body',
    tokenExpiry: 'expires_in',
  },
  batch: { read: 100, write: 100 },
  budgets: [
    {
      // 100 per 10 s per app per portal for free/starter private apps (110 for OAuth apps, 190 on
      // Professional/Enterprise): the smallest as default, corrected by X-HubSpot-RateLimit-*.
      name: 'burst',
      scope: 'account_app',
      limit: 100,
      windowMs: 10_000,
      headers: {
        style: 'remaining',
        remaining: 'x-hubspot-ratelimit-remaining',
        limit: 'x-hubspot-ratelimit-max',
        // The rolling window's length (10000), sent with the others (B11); HubSpot documents no
        // Retry-After on API 429s, so a TEN_SECONDLY_ROLLING refusal waits one interval.
        reset: 'x-hubspot-ratelimit-interval-milliseconds',
        resetUnit: 'ms',
      },
    },
    {
      // Shared by every app in the portal; resets at midnight portal time, counted here as rolling.
      name: 'daily',
      scope: 'account',
      limit: 250_000,
      windowMs: DAY_MS,
      headers: {
        style: 'remaining',
        remaining: 'x-hubspot-ratelimit-daily-remaining',
        limit: 'x-hubspot-ratelimit-daily',
      },
    },
    {
      // CRM search has its own limit, 5 requests per second per account (B6; an older changelog said 4
      // per token), outside the burst limit and with no X-HubSpot-RateLimit-* headers on its answers:
      // only our count and the vendor's 429s ("You have reached your secondly limit.") inform it.
      name: 'search',
      scope: 'account',
      limit: 5,
      windowMs: 1000,
      namedOnly: true,
    },
  ],
  requestIdHeader: 'x-hubspot-correlation-id',
};

/** The declared CRMs, keyed by kind. Only CRMs with a connector (or one in progress) belong here. */
export const CRMS = { salesforce, hubspot } as const satisfies Record<string, CrmDeclaration>;

export type CrmKind = keyof typeof CRMS;

export const CRM_KINDS = Object.keys(CRMS) as CrmKind[];

export function isCrmKind(value: unknown): value is CrmKind {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(CRMS, value);
}

/** The declaration of `kind`; throws naming the known kinds when `kind` is not one. */
export function crmDeclaration(kind: string): CrmDeclaration {
  if (!isCrmKind(kind)) {
    throw new Error(`unknown CRM kind ${JSON.stringify(kind)}: expected one of ${CRM_KINDS.join(', ')}`);
  }
  return CRMS[kind];
}
