import { type CallPriority, type ResponseHeaders } from '../vendor-calls/call.types';
import { type OperationDeadline } from '../vendor-calls/deadline';

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

export interface ObserveOptions extends BudgetSelection {
  /** @defaultValue false */
  served?: boolean;
}

export interface AcquireOptions extends BudgetSelection {
  /** The request's running total of budget waits; absent: this check alone. */
  wait?: BudgetWaitTally;
  /** The operation's deadline: a budget wait never runs past it (UNAVAILABLE naming the budget instead). */
  deadline?: OperationDeadline;
  /** The call's endpoint class: a budget that prices it (`BudgetDeclaration.costs`) takes that price instead of `cost`. */
  endpoint?: string;
}

/**
 * How the gate let a call through: `probe` when the vendor had refused for lack of budget without
 * saying until when, and this call is the one that checks whether it serves again. The caller must
 * report the probe's outcome: {@link BudgetGate.reopen} when served, {@link BudgetGate.backOff} when
 * refused again, {@link BudgetGate.releaseProbe} otherwise.
 */
export type BudgetGrant = 'probe' | void;

/**
 * The budget check in front of every vendor call of one connection: implemented by `budget-gate.ts`,
 * called by the connectors' HTTP client.
 */
export interface BudgetGate {
  /**
   * Takes `cost` units from every selected budget, or throws RATE_LIMITED with retryAfterMs. Only
   * interactive calls wait, and only while `options.wait` stays within the gate's interactive wait.
   */
  acquire(priority: CallPriority, cost?: number, options?: AcquireOptions): Promise<BudgetGrant>;
  /**
   * Lowers what is left in the selected budgets to what the vendor's headers say is left. `served`:
   * the headers came with a served call, whose correction only steers later calls; the gate may then
   * skip it when it corrected the same budget moments ago and the reading shows plenty left.
   */
  observe(headers: ResponseHeaders, options?: ObserveOptions): Promise<void>;
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
