/** Response headers, names lower-cased. A repeated header keeps its values joined with ", ". */
export type ResponseHeaders = Readonly<Record<string, string>>;

/** What a transport sends: a fully built request. */
export interface TransportRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** Aborts the request; the transport rejects with an error whose `name` is `AbortError`/`TimeoutError`. */
  signal?: AbortSignal;
}

export interface TransportResponse {
  status: number;
  headers: ResponseHeaders;
  body: string;
}

/**
 * Sends one request and returns the response as text. It must NOT follow redirects: the client does,
 * so that credentials are dropped when a redirect leaves the host (see `http/redirects.ts`).
 */
export type HttpTransport = (request: TransportRequest) => Promise<TransportResponse>;

/**
 * Interactive work (a GraphQL query waiting for the answer) may wait a little; background work (queue
 * jobs) never sleeps — it fails with a retryable error carrying `retryAfterMs` and the queue reschedules.
 */
export type CallPriority = 'interactive' | 'background';

export interface AccessToken {
  value: string;
  /** Epoch ms when the vendor said it expires; `null` when it did not say (Salesforce). */
  expiresAt: number | null;
  /** API base the token response named (Salesforce `instance_url`), already checked by the SSRF guard. */
  apiBaseUrl?: string;
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

/** The budget check in front of every vendor call of one connection (implemented in `src/ratelimit/`). */
export interface BudgetGate {
  /** Takes `cost` units from every budget of the connection, or throws RATE_LIMITED with retryAfterMs. */
  acquire(priority: CallPriority, cost?: number): Promise<void>;
  /** Lowers what is left to what the vendor's headers say is left. */
  observe(headers: ResponseHeaders): Promise<void>;
  /** The vendor refused for lack of budget: block the connection's budgets for `retryAfterMs`. */
  exhausted(retryAfterMs: number): Promise<void>;
}
