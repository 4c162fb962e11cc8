import { answerWithin } from '../runtime/answer-within';
import { type RedisClient } from '../redis/client';
import { type BudgetDeclaration, type BudgetScope, DEFAULT_INTERACTIVE_RESERVE } from '../config/crms';
import { deadlineExceeded, msLeft } from '../vendor-calls/deadline';
import { CrmRateLimitedError, CrmUnavailableError } from '../errors';
import { LuaScript } from '../redis/lua-script';
import { type CallPriority, type ResponseHeaders } from '../vendor-calls/call.types';
import {
  type AcquireOptions,
  type BudgetGate,
  type BudgetGrant,
  type BudgetSelection,
  type ObserveOptions,
} from './budget-gate.types';
import { type BudgetLeases, LOW_REMAINING_SHARE } from './budget-lease';
import { waitForBudget } from './budget-wait';
import { readBudgetHeaders } from './headers';
import { redisKey } from '../redis/keys';

/**
 * Vendor budgets in Redis, checked before every vendor call. Each budget is a sliding window
 * (`lua/budget-take-1.lua`) keyed by the scope the vendor counts it in, so every connection — in every
 * process — that spends the same org's allocation draws from one counter.
 *
 * A call draws on the connection's ordinary budgets, or on the ones it names (`AcquireOptions.budgets`):
 * A search endpoint may name its own per-second budget and leaves the burst and daily ones alone.
 */

/** The budget scripts' folder under `src/` (also the per-client request limiter's, `server/`). */
export const BUDGET_LUA_DIR = 'ratelimit/lua';

const TAKE = LuaScript.load('budget-take-1', BUDGET_LUA_DIR);
const REFUND = LuaScript.load('budget-refund-1', BUDGET_LUA_DIR);
const CORRECT = LuaScript.load('budget-correct-1', BUDGET_LUA_DIR);
const BLOCK = LuaScript.load('budget-block-1', BUDGET_LUA_DIR);
const BACKOFF = LuaScript.load('budget-backoff-1', BUDGET_LUA_DIR);
const REOPEN = LuaScript.load('budget-reopen-1', BUDGET_LUA_DIR);

/**
 * The connection whose calls a gate counts: what the budget keys and overrides are built from. A
 * connector's `ConnectionInfo` is one; the gate asks no more of it.
 */
export interface BudgetOwner {
  id: string;
  crm: string;
  /** The vendor account id once known; until then the connection stands in for the account. */
  externalAccountId: string | null;
  /** `appId` (the `account_app` scope) and `budgets` (per-budget overrides) are read. */
  settings: Readonly<Record<string, unknown>>;
}

export interface BudgetGateOptions {
  redis: RedisClient;
  /** Prefix of every key (the deployment's REDIS_PREFIX). */
  prefix: string;
  connection: BudgetOwner;
  budgets: readonly BudgetDeclaration[];
  /**
   * Longest an interactive request waits for budget in all — across every attempt of the request,
   * when the client passes its `AcquireOptions.wait` tally — before failing RATE_LIMITED with
   * retryAfterMs. Separate from the retry policy's `interactiveMaxRetrySleepMs` (sleeps after a
   * vendor's 429 or 5xx, 10 s in all): this is waiting for our own count to allow a call at all.
   * Background work never waits.
   * @defaultValue 2000
   */
  interactiveMaxBudgetWaitMs?: number;
  /**
   * A Redis call slower than this counts as Redis unreachable: fail closed, retryable.
   * @defaultValue 1000
   */
  redisTimeoutMs?: number;
  /**
   * Sub-buckets per window: more is closer to an exact sliding window, fewer is cheaper.
   * @defaultValue 20
   */
  buckets?: number;
  /**
   * First hold after the vendor refused for lack of budget without saying for how long; each refused
   * probe doubles it (`lua/budget-backoff-1.lua`). A short storm is over within a few probes, and a
   * long outage costs one refused call per `probeMaxMs` across every process.
   * @defaultValue 1000
   */
  probeFirstMs?: number;
  /**
   * Longest hold between two probes.
   * @defaultValue 60000
   */
  probeMaxMs?: number;
  /**
   * How long a granted probe keeps the others waiting before another may probe (a probe whose process
   * died never reports back).
   * @defaultValue 15000
   */
  probeLeaseMs?: number;
  /**
   * Least time between two corrections of one budget from served calls in this process, while the
   * vendor says more than a tenth of the allocation is left (`observe`'s `served`).
   * @defaultValue 1000
   */
  servedCorrectionIntervalMs?: number;
  /**
   * This process's leases (`budget-lease.ts`): calls spend units taken ahead instead of a Redis round
   * trip each. Absent: every call takes from the shared count.
   * @defaultValue none
   */
  leases?: BudgetLeases;
  /** Told what is left after every take and correction (metrics). */
  onRemaining?: (budget: string, remaining: number) => void;
  /** Told when the gate refuses a call RATE_LIMITED, naming the budget that ran out (metrics). */
  onRefused?: (budget: string, priority: CallPriority) => void;
  sleep?: (ms: number) => Promise<void>;
}

/** Budgets whose last served correction this process remembers (then it forgets them all). */
const MAX_TRACKED_BUDGETS = 10_000;
/**
 * When this process last applied a served call's reading, per budget key: module state, as a gate
 * lives for one request or job while the budget (an org's allocation) outlives them all.
 */
const lastServedCorrection = new Map<string, number>();

export interface EffectiveBudget {
  decl: BudgetDeclaration;
  key: string;
  limit: number;
  windowMs: number;
}

/** The result of one take on one budget (exported for tests). */
export interface TakeResult {
  allowed: boolean;
  remaining: number;
  /** -1 when the cost can never fit. */
  retryAfterMs: number;
  nowMs: number;
  bucket: number;
  /** Granted as the probe of a budget the vendor had refused (nothing taken from the count). */
  probe: boolean;
}

/** What {@link RedisBudgetGate.headroom} answers. */
export interface BudgetHeadroom {
  /** Calls every selected budget admits now (0: none; a large number where no budget is selected). */
  calls: number;
  /** With `calls` 0: ms until one call fits (-1: one call never fits). */
  retryAfterMs: number;
}

/** One budget as {@link RedisBudgetGate.readings} reads it. */
export interface BudgetReading {
  name: string;
  /** The limit per window the count goes by: the vendor's, once its headers told it; else the connection's override or the declaration's. */
  limit: number;
  windowMs: number;
  /** Units left now (0 while the vendor's refusal holds the budget). */
  remaining: number;
  /** While none is left: ms until one unit fits (-1: never). */
  retryAfterMs: number;
}

export class RedisBudgetGate implements BudgetGate {
  private readonly budgets: EffectiveBudget[];
  /** What a call that names no budget draws on: every budget not marked `namedOnly`. */
  private readonly ordinary: EffectiveBudget[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: BudgetGateOptions) {
    this.budgets = options.budgets.map((decl) => {
      const override = budgetOverride(options.connection.settings, decl.name);
      return {
        decl,
        key: budgetKey(options.prefix, options.connection, decl),
        limit: override.limit ?? decl.limit,
        windowMs: override.windowMs ?? decl.windowMs,
      };
    });
    this.ordinary = this.budgets.filter((b) => !b.decl.namedOnly);
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async acquire(priority: CallPriority, cost = 1, options: AcquireOptions = {}): Promise<BudgetGrant> {
    const maxWait = priority === 'interactive' ? (this.options.interactiveMaxBudgetWaitMs ?? 2000) : 0;
    const selected = this.select(options);
    const tally = options.wait ?? { waitedMs: 0 };
    const { deadline } = options;
    let refusedBy = '';
    let probe = false;
    const retryAfterMs = await waitForBudget(
      async () => {
        const res = await this.takeAll(selected, priority, cost, options.endpoint);
        refusedBy = res.refusedBy ?? '';
        probe = res.probe;
        return res.retryAfterMs;
      },
      maxWait,
      tally,
      this.sleep,
      () => msLeft(deadline, Date.now()),
    );
    if (retryAfterMs === 0) return probe ? 'probe' : undefined;
    const crm = this.options.connection.crm;
    if (deadline && retryAfterMs > 0 && tally.waitedMs + retryAfterMs <= maxWait) {
      // Budget would come back within the wait we allow, but after the operation's deadline.
      throw deadlineExceeded(deadline, crm, `waiting ${retryAfterMs} ms for the ${crm} ${refusedBy} budget`);
    }
    this.options.onRefused?.(refusedBy, priority);
    throw new CrmRateLimitedError(
      retryAfterMs < 0
        ? `a call costing ${cost} units exceeds the ${crm} ${refusedBy} budget`
        : `${crm} ${refusedBy} budget exhausted for this ${priority === 'interactive' ? 'read' : 'job'}; retry after ${retryAfterMs} ms`,
      {
        crm,
        retryAfterMs: retryAfterMs < 0 ? undefined : retryAfterMs,
        vendorCode: 'BUDGET',
        details: { budget: refusedBy },
      },
    );
  }

  /** Takes `cost` from every selected budget or none: 0 when taken, else ms to wait (-1: never fits). */
  async tryAcquire(priority: CallPriority, cost = 1, options: BudgetSelection = {}): Promise<number> {
    return (await this.takeAll(this.select(options), priority, cost)).retryAfterMs;
  }

  /** `endpoint`: the call's endpoint class, which a budget may price apart (`BudgetDeclaration.costs`). */
  private async takeAll(
    selected: readonly EffectiveBudget[],
    priority: CallPriority,
    callCost: number,
    endpoint?: string,
  ): Promise<{ retryAfterMs: number; refusedBy?: string; probe: boolean }> {
    /** What each budget taken so far gives back if a later one refuses, and whether it granted a probe. */
    const taken: { giveBack: () => Promise<unknown>; probe: boolean }[] = [];
    const { leases } = this.options;
    for (const budget of selected) {
      const cost = (endpoint !== undefined ? budget.decl.costs?.[endpoint] : undefined) ?? callCost;
      if (leases?.spend(budget, priority, cost)) {
        taken.push({ giveBack: async () => leases.unspend(budget, priority, cost), probe: false });
        continue;
      }
      const res = await this.takeShared(budget, priority, cost);
      if (!res.probe) this.options.onRemaining?.(budget.decl.name, res.remaining);
      if (!res.allowed) {
        // The call will not be made: give back what earlier budgets of this call took, and the probe
        // slot an earlier budget granted.
        await Promise.all(taken.map((t) => t.giveBack()));
        return { retryAfterMs: res.retryAfterMs, refusedBy: budget.decl.name, probe: false };
      }
      taken.push({
        giveBack: () =>
          this.redis(
            res.probe
              ? this.options.redis.hdel(budget.key, 'probing')
              : REFUND.run(this.options.redis, [budget.key], [res.bucket, cost]),
          ),
        probe: res.probe,
      });
    }
    return { retryAfterMs: 0, probe: taken.some((t) => t.probe) };
  }

  /**
   * One take from the shared count for a call of `cost`, with a lease on top where the gate leases and
   * plenty is left; a lease the count cannot admit falls back to the call's own cost.
   */
  private async takeShared(
    budget: EffectiveBudget,
    priority: CallPriority,
    cost: number,
  ): Promise<TakeResult> {
    const { leases } = this.options;
    const asked = leases?.ask(budget, priority, cost) ?? cost;
    let res = await this.take(budget, priority, asked);
    if (!res.allowed && asked > cost) res = await this.take(budget, priority, cost);
    else if (leases && res.allowed && !res.probe) {
      leases.taken(budget, priority, { ...res, leased: asked - cost }, (bucket, units) =>
        this.redis(REFUND.run(this.options.redis, [budget.key], [bucket, units])),
      );
    }
    return res;
  }

  /** The budgets a call draws on: those it names, else the ordinary ones. */
  private select(options: BudgetSelection): readonly EffectiveBudget[] {
    if (!options.budgets) return this.ordinary;
    return options.budgets.map((name) => {
      const found = this.budgets.find((b) => b.decl.name === name);
      if (!found) {
        // A programming error (a connector naming a budget its CRM does not declare), not a vendor one.
        throw new Error(
          `${this.options.connection.crm} declares no budget ${JSON.stringify(name)}: expected one of ${this.budgets.map((b) => b.decl.name).join(', ')}`,
        );
      }
      return found;
    });
  }

  /**
   * How many calls each costing `cost` units (or the price the budgets set for `options.endpoint`) every
   * selected budget would admit for `priority` right now; nothing is taken. What a background job sizes
   * its work by before it claims any (docs/writes.md "Budget-sized claims"): the gate still checks each
   * call, so a count spent meanwhile by others costs a refusal, never an overdraft.
   */
  async headroom(priority: CallPriority, cost = 1, options: AcquireOptions = {}): Promise<BudgetHeadroom> {
    let calls = Number.POSITIVE_INFINITY;
    let retryAfterMs = 0;
    for (const budget of this.select(options)) {
      const price =
        (options.endpoint !== undefined ? budget.decl.costs?.[options.endpoint] : undefined) ?? cost;
      const res = await this.take(budget, priority, price, { dryRun: true });
      if (!res.allowed) {
        calls = 0;
        retryAfterMs = res.retryAfterMs < 0 ? -1 : Math.max(retryAfterMs, res.retryAfterMs);
        if (retryAfterMs < 0) break;
        continue;
      }
      // A budget held by the vendor's refusal admits its one probe, and nothing more until it answers.
      calls = Math.min(calls, res.probe ? 1 : Math.floor(res.remaining / price));
    }
    return { calls: Number.isFinite(calls) ? calls : Number.MAX_SAFE_INTEGER, retryAfterMs };
  }

  /**
   * Every budget of the connection as it stands: what is left of each (a dry run of the take, as
   * {@link headroom}: nothing is taken) — what `Connection.budgets` shows and the budget samples keep.
   */
  async readings(): Promise<BudgetReading[]> {
    return Promise.all(
      this.budgets.map(async (budget) => {
        const [res, told] = await Promise.all([
          this.take(budget, 'interactive', 1, { dryRun: true }),
          // The limit the vendor's headers told (budget-take-1.lua's `vlimit`), which the take counts by.
          this.redis(this.options.redis.hget(budget.key, 'vlimit')),
        ]);
        const open = res.allowed && !res.probe;
        return {
          name: budget.decl.name,
          limit: told !== null && Number.isFinite(Number(told)) ? Number(told) : budget.limit,
          windowMs: budget.windowMs,
          remaining: open ? Math.max(0, res.remaining) : 0,
          retryAfterMs: open ? 0 : res.retryAfterMs,
        };
      }),
    );
  }

  /**
   * One take on one budget (exported through the class for tests of the window behaviour); `dryRun`:
   * answers what a take would, with `remaining` before it, and takes nothing.
   */
  async take(
    budget: EffectiveBudget,
    priority: CallPriority,
    cost: number,
    { dryRun = false }: { dryRun?: boolean } = {},
  ): Promise<TakeResult> {
    const reserve =
      priority === 'interactive' ? 0 : (budget.decl.interactiveReserve ?? DEFAULT_INTERACTIVE_RESERVE);
    const raw = (await this.redis(
      TAKE.run(
        this.options.redis,
        [budget.key],
        [
          budget.windowMs,
          this.options.buckets ?? 20,
          budget.limit,
          reserve,
          cost,
          this.options.probeLeaseMs ?? 15_000,
          dryRun ? 1 : 0,
        ],
      ),
    )) as number[];
    return {
      allowed: raw[0] !== 0,
      remaining: raw[1],
      retryAfterMs: raw[2],
      nowMs: raw[3],
      bucket: raw[4],
      probe: raw[0] === 2,
    };
  }

  async observe(headers: ResponseHeaders, options: ObserveOptions = {}): Promise<void> {
    for (const budget of this.select(options)) {
      if (!budget.decl.headers) continue;
      const reading = readBudgetHeaders(budget.decl.headers, headers);
      if (!reading) continue;
      // Little left by the vendor's count: calls go back to taking from the shared count one by one.
      if (isLow(budget, reading)) this.options.leases?.drop(budget.key);
      if (options.served && !this.servedCorrectionDue(budget, reading)) continue;
      const res = (await this.redis(
        CORRECT.run(
          this.options.redis,
          [budget.key],
          [budget.windowMs, this.options.buckets ?? 20, budget.limit, reading.remaining, reading.limit ?? ''],
        ),
      )) as number[];
      this.options.onRemaining?.(budget.decl.name, res[1]);
    }
  }

  /**
   * Whether a served call's reading is worth a Redis round trip now. Every vendor call already took its
   * unit from our count; a correction only catches what others spent of the same allocation. So while
   * the reading shows more than {@link LOW_REMAINING_SHARE} of the allocation left, one correction per
   * budget per `servedCorrectionIntervalMs` in this process is enough (the vendor's figure is absolute:
   * the next one supersedes a skipped one). A reading at or under it is always applied at once.
   */
  private servedCorrectionDue(
    budget: EffectiveBudget,
    reading: { remaining: number; limit?: number },
  ): boolean {
    if (isLow(budget, reading)) return true;
    const now = Date.now();
    const last = lastServedCorrection.get(budget.key);
    if (last !== undefined && now - last < (this.options.servedCorrectionIntervalMs ?? 1000)) return false;
    if (lastServedCorrection.size >= MAX_TRACKED_BUDGETS) lastServedCorrection.clear();
    lastServedCorrection.set(budget.key, now);
    return true;
  }

  async exhausted(retryAfterMs: number, options: BudgetSelection = {}): Promise<void> {
    await Promise.all(
      this.select(options).map((b) => {
        // The vendor refused: no call of this process spends a lease on it any more.
        this.options.leases?.drop(b.key);
        return this.redis(
          BLOCK.run(this.options.redis, [b.key], [Math.max(1, Math.ceil(retryAfterMs)), b.windowMs]),
        );
      }),
    );
  }

  async backOff(options: BudgetSelection & { probe: boolean }): Promise<number> {
    const holds = await Promise.all(
      this.select(options).map(async (b) => {
        this.options.leases?.drop(b.key);
        const raw = (await this.redis(
          BACKOFF.run(
            this.options.redis,
            [b.key],
            [
              this.options.probeFirstMs ?? 1000,
              this.options.probeMaxMs ?? 60_000,
              b.windowMs,
              options.probe ? 1 : 0,
            ],
          ),
        )) as number[];
        return raw[0];
      }),
    );
    return Math.max(1, ...holds);
  }

  async reopen(headers: ResponseHeaders, options: BudgetSelection = {}): Promise<void> {
    await Promise.all(
      this.select(options).map((b) => {
        const reading = b.decl.headers ? readBudgetHeaders(b.decl.headers, headers) : null;
        return this.redis(
          REOPEN.run(
            this.options.redis,
            [b.key],
            [b.windowMs, this.options.buckets ?? 20, b.limit, reading?.remaining ?? '', reading?.limit ?? ''],
          ),
        );
      }),
    );
  }

  async releaseProbe(options: BudgetSelection = {}): Promise<void> {
    await Promise.all(this.select(options).map((b) => this.redis(this.options.redis.hdel(b.key, 'probing'))));
  }

  /** The budgets of this gate, for tests and the admin view. */
  get effectiveBudgets(): readonly EffectiveBudget[] {
    return this.budgets;
  }

  /**
   * Runs a Redis call that must answer promptly. Redis down or slow → UNAVAILABLE, retryable: with no
   * budget check we would have to guess, and guessing wrong gets a tenant's CRM account throttled.
   */
  private async redis<T>(call: Promise<T>): Promise<T> {
    const timeoutMs = this.options.redisTimeoutMs ?? 1000;
    try {
      return await answerWithin(call, timeoutMs, () => new Error(`no answer within ${timeoutMs} ms`));
    } catch (err) {
      throw new CrmUnavailableError(
        `the rate-limit store (Redis) is unreachable, so no ${this.options.connection.crm} call is made: ${(err as Error).message}`,
        { crm: this.options.connection.crm, retryAfterMs: 1000, cause: err },
      );
    }
  }
}

/** A reading under {@link LOW_REMAINING_SHARE} of the allocation (the vendor's stated one, else ours). */
function isLow(budget: EffectiveBudget, reading: { remaining: number; limit?: number }): boolean {
  const limit = reading.limit ?? budget.limit;
  return reading.remaining <= Math.max(1, limit * LOW_REMAINING_SHARE);
}

/**
 * The Redis key of a budget: the vendor's scope, not the connection, wherever the vendor counts more
 * broadly. Until the vendor account id is known, the connection stands in for it.
 */
export function budgetKey(prefix: string, connection: BudgetOwner, decl: BudgetDeclaration): string {
  return redisKey(prefix, 'budget', connection.crm, decl.name, scopeIdOf(connection, decl.scope));
}

/**
 * Who a count of `scope` belongs to, as a key part: the vendor account (and app), or the connection.
 * Until the vendor account id is known, the connection stands in for it.
 */
export function scopeIdOf(connection: Omit<BudgetOwner, 'crm'>, scope: BudgetScope): string {
  const account = connection.externalAccountId ?? `connection-${connection.id}`;
  const app = typeof connection.settings.appId === 'string' ? connection.settings.appId : 'default';
  if (scope === 'account') return account;
  return scope === 'account_app' ? `${account}:${app}` : `connection-${connection.id}`;
}

/** `settings.budgets.<name> = { limit, windowMs }` lets an operator set a connection's real allocation. */
function budgetOverride(
  settings: Readonly<Record<string, unknown>>,
  name: string,
): { limit?: number; windowMs?: number } {
  const all = settings.budgets;
  if (!all || typeof all !== 'object') return {};
  const o = (all as Record<string, unknown>)[name];
  if (!o || typeof o !== 'object') return {};
  const { limit, windowMs } = o as { limit?: unknown; windowMs?: unknown };
  const positive = (v: unknown): number | undefined =>
    typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
  return { limit: positive(limit), windowMs: positive(windowMs) };
}
