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

/**
 * Time one request has spent waiting for budget, shared by all its attempts (retries, the retry after a
 * refresh), so the gate's interactive wait bounds the request, not each check. The gate adds every wait
 * to it.
 */
export interface BudgetWaitTally {
  waitedMs: number;
}

export interface BudgetSelection {
  /**
   * Names of the budgets (declared in `config/crms.ts`) this call draws on. Absent: the ordinary ones —
   * every budget not marked `namedOnly`.
   */
  budgets?: readonly string[];
}

export interface AcquireOptions extends BudgetSelection {
  /** The request's running total of budget waits; absent: this check alone. */
  wait?: BudgetWaitTally;
}

/** The budget check in front of every vendor call of one connection (implemented in `src/ratelimit/`). */
export interface BudgetGate {
  /**
   * Takes `cost` units from every selected budget, or throws RATE_LIMITED with retryAfterMs. Only
   * interactive calls wait, and only while `options.wait` stays within the gate's interactive wait.
   */
  acquire(priority: CallPriority, cost?: number, options?: AcquireOptions): Promise<void>;
  /** Lowers what is left in the selected budgets to what the vendor's headers say is left. */
  observe(headers: ResponseHeaders, options?: BudgetSelection): Promise<void>;
  /** The vendor refused for lack of budget: block the selected budgets for `retryAfterMs`. */
  exhausted(retryAfterMs: number, options?: BudgetSelection): Promise<void>;
}
