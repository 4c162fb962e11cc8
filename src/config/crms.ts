/**
 * The shape of a CRM declared as data: auth kinds, hosts, the pinned API version, batch sizes, default
 * budgets and rate-limit headers. Each CRM's values live in its own folder
 * (`src/connectors/<crm>/declaration.ts`); nothing else in `src/` (outside the sandboxes) spells a vendor
 * host or an API version. The list of CRMs is `src/connectors/registry.ts`.
 */

/** How a connection authenticates against the vendor. */
export type AuthKind =
  /** OAuth 2.0 authorization-code (web-server) flow, with refresh tokens. */
  | 'oauth2_code'
  /** OAuth 2.0 client-credentials grant: no user, no refresh token — a new token on expiry. */
  | 'oauth2_client_credentials'
  /** A static token the operator pastes (a private-app or personal API token); never expires. */
  | 'static_token';

/**
 * The unit a vendor counts a budget in. The budget key is built from the connection's identifiers:
 * - `account`: the vendor account (an org, portal or company: whatever one customer's data lives in);
 * - `account_app`: the account and our app together (a burst limit counted per account per app);
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
   * budgets: for an endpoint the vendor counts apart (a search endpoint with its own per-second limit,
   * outside the burst limit). Ordinary requests skip it.
   * @defaultValue false
   */
  namedOnly?: boolean;
  /**
   * What a call costs in this budget by the endpoint class it names (`VendorRequest.endpoint`), for a
   * vendor that prices its endpoints apart (a daily token budget where a list costs ten units and a
   * get one). A call naming no class, or a class this table lacks, costs its own `cost`.
   * @defaultValue none: every call costs its `cost`
   */
  costs?: Readonly<Record<string, number>>;
}

/** Vendor response headers that tell how much of a budget is left. Names are matched case-insensitively. */
export type RateLimitHeaders =
  | {
      style: 'remaining';
      remaining: string;
      limit?: string;
      /**
       * How long to hold back when the vendor refuses without `Retry-After`, in `resetUnit`: the time
       * until the window resets, or — for a rolling window whose vendor states only its length (an
       * `…-Interval-Milliseconds` header) — that length, the longest a slot can stay taken.
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
      /**
       * One header listing `key=used/limit` pairs (`<header>: api-usage=18/5000; other=1/10`): the
       * pair under `key` is this budget's.
       */
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
  /** Extra authorize-URL parameters the vendor needs (e.g. `access_type=offline` for a refresh token). */
  extraAuthorizeParams?: Readonly<Record<string, string>>;
  /** How the client authenticates at the token endpoint. */
  clientAuth: 'body' | 'basic';
  /**
   * Whether the token response says when the access token expires (`expires_in`). When not (a session
   * that lasts while it is used), the token service refreshes on 401 instead of ahead of time.
   */
  tokenExpiry: 'expires_in' | 'unknown';
}

export interface CrmDeclaration {
  kind: string;
  displayName: string;
  authKinds: readonly AuthKind[];
  /**
   * Scheme of the `Authorization` header on data calls (`Authorization: <scheme> <token>`): `Bearer`
   * (RFC 6750) unless the vendor names its own scheme word.
   */
  authScheme: string;
  hosts: {
    /** Default OAuth / identity host (the vendor's real one). Per-connection override: `vendorUrls.auth`. */
    auth: string;
    /**
     * Default API host. `null` when every connection gets its own: from the token response (see
     * `tokenApiHost`), or else named by the connection (`vendorUrls.api`, then required). Per-connection
     * override: `vendorUrls.api`.
     */
    api: string | null;
  };
  /**
   * Hosts of the vendor's own that a connection may name as `vendorUrls` without the operator's
   * allowlist (https, default port): a per-customer environment host, a regional login host. Absent:
   * `tokenApiHost.hostPattern` for both, or only allowlisted origins.
   */
  vendorHostPatterns?: { auth?: RegExp; api?: RegExp };
  /**
   * When the token response names the host to call (an `instance_url` or `api_domain` field): the
   * field, and the host pattern a value must match before we send credentials to it.
   */
  tokenApiHost?: { field: string; hostPattern: RegExp };
  /** Pinned API version: the one place it is spelled. */
  apiVersion: ApiVersion;
  oauth?: OAuthDeclaration;
  /**
   * Ids per bulk read (one vendor call) and records per bulk write; `contactDeals`: contacts whose deals
   * one association read takes, where it is fewer than `read` (a vendor with no batch for it: 1);
   * `writeEndpoints`: the endpoint class (`BudgetDeclaration.costs`) of the call each batch kind sends,
   * where a budget prices it apart — what the write engine sizes a claim by (absent: one unit a call).
   */
  batch: {
    read: number;
    write: number;
    contactDeals?: number;
    writeEndpoints?: Readonly<Partial<Record<BatchKind, string>>>;
  };
  /**
   * The vendor's asynchronous bulk write job, where it has one the write engine may use
   * (docs/writes.md "Bulk jobs"). Absent: every write goes in calls of `batch.write`.
   */
  bulkWrite?: BulkWriteDeclaration;
  budgets: readonly BudgetDeclaration[];
  /**
   * Most requests the vendor lets one connection have in flight at once (Dataverse: 52 per user),
   * counted in Redis across every process (`ratelimit/concurrency-gate.ts`). Absent: no such limit.
   */
  concurrentRequests?: number;
  /**
   * Whose calls share `concurrentRequests` (the budget scopes' meaning): a vendor that counts per
   * account and app (an org's calls through one OAuth app) says `account_app`.
   * @defaultValue 'connection'
   */
  concurrencyScope?: BudgetScope;
  /** Header carrying the vendor's request id (for errors and logs). */
  requestIdHeader?: string;
}

/**
 * Which record writes a bulk job takes: `byId` an update naming the record's remote id, `byKey` an
 * upsert by one external-id (unique) field. Never a plain create: a job that may run twice must not
 * duplicate records (docs/writes.md "Bulk jobs").
 */
export type BulkWriteShape = 'byId' | 'byKey';

/** A vendor's bulk write job as the write engine uses it (docs/writes.md "Bulk jobs"). */
export interface BulkWriteDeclaration {
  /** Fewest due operations of one shape (one group) that go as a job rather than in calls. */
  threshold: number;
  /** Most records one job takes. */
  maxRecords: number;
  takes: readonly BulkWriteShape[];
  /** Past this from its submission a job's operations end (FAILED OUTCOME_UNKNOWN) unless its results can be read. */
  timeoutMs: number;
  /** The first poll's delay; each later one waits twice as long, up to `maxPollMs`. */
  pollMs: number;
  maxPollMs: number;
}

/** A vendor's pinned API version(s); more than one part when the vendor versions its API areas apart. */
export type ApiVersion = Readonly<Record<string, string>>;

/**
 * Which bulk call carries a write operation: creates, updates and upserts share the vendor's upsert
 * batch; deletes, links and unlinks have their own. Operations coalesce per (connection, object, batch kind).
 */
export type BatchKind = 'UPSERT' | 'DELETE' | 'LINK' | 'UNLINK';

/** Default share of each budget kept for interactive reads. */
export const DEFAULT_INTERACTIVE_RESERVE = 0.2;
