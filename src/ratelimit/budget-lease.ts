import { type CallPriority } from '../vendor-calls/call.types';

/**
 * Budget units a process takes from the shared count ahead of its calls, so that most vendor calls of
 * a busy connection pass the gate without a Redis round trip: one take of `size` units, then `size - 1`
 * calls spent locally.
 *
 * Why the fleet still never spends more than the count admits:
 * - every unit is taken from the shared sliding window (`lua/budget-take-1.lua`) before any call spends
 *   it — a lease is an ordinary take of several units, refused unless the window admits them all;
 * - a lease lives {@link BudgetLeaseOptions.ttlMs} (1 s); what it did not spend is then given back. A
 *   unit is counted from when it was leased, at most `ttlMs` before its call, so the window could free
 *   it that much early: budgets are leased only where that is at most 1 % of the window (a daily
 *   budget, never a per-10-seconds one);
 * - a lease is at most `maxUnits` (16) and at most 1 % of the limit, and is only taken while this
 *   process's last take left more than a tenth of the limit plus the lease. A vendor refusal
 *   (`exhausted`, `backOff`) or a reading under a tenth ends this process's leases of that budget at
 *   once. What other processes hold then is at most `maxUnits` each, for at most `ttlMs`: the same kind
 *   of lag the count already has for calls in flight, which a vendor correction can only see once they
 *   are made.
 * While Redis is unreachable, a lease taken before is still spent until it ends (those units were
 * counted); every other call fails UNAVAILABLE as without leases.
 */

export interface BudgetLeaseOptions {
  /**
   * Most units one lease takes.
   * @defaultValue 16
   */
  maxUnits?: number;
  /**
   * How long a lease may be spent before its rest is given back.
   * @defaultValue 1000
   */
  ttlMs?: number;
}

/** The part of a budget a lease is sized from. */
export interface LeasedBudget {
  /** The shared count's key (`budgetKey`). */
  key: string;
  limit: number;
  windowMs: number;
}

/**
 * Under this share of the allocation left, a budget is scarce: the gate applies every served call's
 * reading at once, and nothing is leased.
 */
export const LOW_REMAINING_SHARE = 0.1;
/** Largest share of a budget's limit one lease may hold. */
const MAX_LEASE_SHARE = 0.01;
/** Budgets a process remembers a reading of (then it forgets them all, as the gate does). */
const MAX_TRACKED = 10_000;

interface Lease {
  units: number;
  /** The shared count's bucket the units were taken in (what giving them back decrements). */
  bucket: number;
  until: number;
  timer: NodeJS.Timeout;
  giveBack: (bucket: number, units: number) => Promise<unknown>;
}

/** One process's leases, shared by the gates of its requests (a gate lives for one request). */
export class BudgetLeases {
  private readonly held = new Map<string, Lease>();
  /** What the last shared take of this process left, per budget and priority. */
  private readonly remaining = new Map<string, number>();
  private readonly maxUnits: number;
  private readonly ttlMs: number;

  constructor(options: BudgetLeaseOptions = {}) {
    this.maxUnits = options.maxUnits ?? 16;
    this.ttlMs = options.ttlMs ?? 1000;
  }

  /** Spends `cost` units of this process's live lease on `budget`; false when it holds too few. */
  spend(budget: LeasedBudget, priority: CallPriority, cost: number): boolean {
    const lease = this.held.get(leaseKey(budget.key, priority));
    if (!lease || lease.units < cost || Date.now() >= lease.until) return false;
    lease.units -= cost;
    return true;
  }

  /** Puts back units {@link spend} gave a call that was not made (another budget refused it). */
  unspend(budget: LeasedBudget, priority: CallPriority, cost: number): void {
    const lease = this.held.get(leaseKey(budget.key, priority));
    if (lease) lease.units += cost;
  }

  /** Units a shared take for a call of `cost` asks for: the cost, plus a lease where plenty is left. */
  ask(budget: LeasedBudget, priority: CallPriority, cost: number): number {
    const size = Math.min(this.maxUnits, Math.floor(budget.limit * MAX_LEASE_SHARE));
    if (size < 2 || budget.windowMs * MAX_LEASE_SHARE < this.ttlMs) return cost;
    const left = this.remaining.get(leaseKey(budget.key, priority));
    if (left === undefined || left < budget.limit * LOW_REMAINING_SHARE + size) return cost;
    return Math.max(cost, size);
  }

  /**
   * After a shared take: what it left, and the `leased` units beyond the call's own kept as this
   * process's lease (an older one is given back first).
   */
  taken(
    budget: LeasedBudget,
    priority: CallPriority,
    took: { remaining: number; bucket: number; leased: number },
    giveBack: Lease['giveBack'],
  ): void {
    const key = leaseKey(budget.key, priority);
    if (this.remaining.size >= MAX_TRACKED) this.remaining.clear();
    this.remaining.set(key, took.remaining);
    if (took.leased <= 0) return;
    this.release(key);
    const timer = setTimeout(() => this.release(key), this.ttlMs);
    // A lease never keeps a process alive: units a dying process held are lost, never overspent.
    timer.unref();
    this.held.set(key, {
      units: took.leased,
      bucket: took.bucket,
      until: Date.now() + this.ttlMs,
      timer,
      giveBack,
    });
  }

  /** Ends this process's leases of a budget (the vendor refused, or little is left) and forgets its reading. */
  drop(budgetKey: string): void {
    for (const priority of ['interactive', 'background'] as const) {
      const key = leaseKey(budgetKey, priority);
      this.release(key);
      this.remaining.delete(key);
    }
  }

  private release(key: string): void {
    const lease = this.held.get(key);
    if (!lease) return;
    this.held.delete(key);
    clearTimeout(lease.timer);
    // Best effort: units not given back stay counted, which errs on the side of fewer calls.
    if (lease.units > 0) lease.giveBack(lease.bucket, lease.units).catch(() => undefined);
  }
}

function leaseKey(budgetKey: string, priority: CallPriority): string {
  return `${budgetKey}\u0000${priority}`;
}
