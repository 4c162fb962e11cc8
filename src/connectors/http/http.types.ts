import { type AuthKind } from '../../config/crms';
import { type ResponseHeaders } from '../../vendor-calls/call.types';

/*
 * What the rate limiter and the client share (the priority, headers) lives in `src/vendor-calls/`, and
 * the budget gate's contract with its implementation in `src/ratelimit/`, so `ratelimit/` never imports
 * `connectors/`. Re-exported here so a connector finds every type of a vendor call in one place.
 */
export type { CallPriority, ResponseHeaders } from '../../vendor-calls/call.types';
export type {
  AcquireOptions,
  BudgetGate,
  BudgetGrant,
  BudgetSelection,
  BudgetWaitTally,
} from '../../ratelimit/budget-gate.types';

/** What a transport sends: a fully built request. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  /** Text, or bytes for a binary upload (a zip). */
  body?: string | Uint8Array;
  /** Aborts the request; the transport rejects with an error whose `name` is `AbortError`/`TimeoutError`. */
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
  /** The body's bytes as received (a binary download reads these; `body` is their UTF-8 reading). */
  bytes?: Buffer;
}

/**
 * Sends one request and returns the response as text. It must NOT follow redirects: the client does,
 * so that credentials are dropped when a redirect leaves the host (see `http/redirects.ts`).
 */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

export interface AccessToken {
  value: string;
  /** Epoch ms when the vendor said it expires; `null` when it did not say. */
  expiresAt: number | null;
  /** API base the token response named (an instance URL or API domain), already checked by the SSRF guard. */
  apiBaseUrl?: string;
  /**
   * The kind of credential the token is, for a vendor that expects each kind in its own header (a
   * personal API token apart from an OAuth bearer token). Absent where the caller did not say.
   */
  authKind?: AuthKind;
}

/** Token access for one connection (implemented by `tokens/token.service.ts`). */
export interface TokenAccess {
  /** A token believed valid, refreshed first when the vendor said it is about to expire. */
  get(): Promise<AccessToken>;
  /**
   * The vendor rejected `rejected` (401): returns a newer token — refreshed now, or by whoever held the
   * refresh lock meanwhile. Throws `NEEDS_REAUTH` when the refresh token is refused.
   */
  refreshAfterRejection(rejected: string): Promise<AccessToken>;
}
