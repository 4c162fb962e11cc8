import { type OperationDeadline } from './deadline';

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
  /** Epoch ms when the vendor said it expires; `null` when it did not say. */
  expiresAt: number | null;
  /** API base the token response named (an instance URL or API domain), already checked by the SSRF guard. */
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
   * Names of the budgets (declared in the CRM's `declaration.ts`) this call draws on. Absent: the ordinary ones —
   * every budget not marked `namedOnly`.
   */
  budgets?: readonly string[];
}

export interface AcquireOptions extends BudgetSelection {
  /** The request's running total of budget waits; absent: this check alone. */
  wait?: BudgetWaitTally;
  /** The operation's deadline: a budget wait never runs past it (UNAVAILABLE naming the budget instead). */
  deadline?: OperationDeadline;
}

/**
 * How the gate let a call through: `probe` when the vendor had refused for lack of budget without
 * saying until when, and this call is the one that checks whether it serves again. The caller must
 * report the probe's outcome: {@link BudgetGate.reopen} when served, {@link BudgetGate.backOff} when
 * refused again, {@link BudgetGate.releaseProbe} otherwise.
 */
export type BudgetGrant = 'probe' | void;

/** The budget check in front of every vendor call of one connection (implemented in `src/ratelimit/`). */
export interface BudgetGate {
  /**
   * Takes `cost` units from every selected budget, or throws RATE_LIMITED with retryAfterMs. Only
   * interactive calls wait, and only while `options.wait` stays within the gate's interactive wait.
   */
  acquire(priority: CallPriority, cost?: number, options?: AcquireOptions): Promise<BudgetGrant>;
  /** Lowers what is left in the selected budgets to what the vendor's headers say is left. */
  observe(headers: ResponseHeaders, options?: BudgetSelection): Promise<void>;
  /** The vendor refused for lack of budget and said for how long: block the selected budgets that long. */
  exhausted(retryAfterMs: number, options?: BudgetSelection): Promise<void>;
  /**
   * The vendor refused for lack of budget without saying for how long (a daily allocation used up):
   * hold the selected budgets on a growing probe schedule instead of a fixed lockout. `probe`: the
   * refused call was the probe (it moves the schedule on; a late refusal of an earlier call does not).
   * Returns the ms until the next probe, the wait to tell the caller.
   */
  backOff(options: BudgetSelection & { probe: boolean }): Promise<number>;
  /** A probe was served: end the schedule and learn what is left from the probe's headers. */
  reopen(headers: ResponseHeaders, options?: BudgetSelection): Promise<void>;
  /** A probe ended neither served nor refused for budget (network, 5xx): another caller may probe now. */
  releaseProbe(options?: BudgetSelection): Promise<void>;
}
