import crypto from 'node:crypto';
import { type RedisClient } from '../redis/client';
import { CrmRateLimitedError, CrmUnavailableError } from '../errors';
import { LuaScript } from '../redis/lua-script';
import { type CallPriority } from '../vendor-calls/call.types';
import { BUDGET_LUA_DIR } from './budget-gate';
import { redisKey } from '../redis/keys';

const ACQUIRE = LuaScript.load('concurrency-acquire-1', BUDGET_LUA_DIR);

/** A slot held for one vendor call: release it when the call ends, answered or not. */
export type ReleaseSlot = () => Promise<void>;

export interface ConcurrencyGateOptions {
  redis: RedisClient;
  /** Prefix of every key (the deployment's REDIS_PREFIX). */
  prefix: string;
  crm: string;
  /** Whose calls share the slots: the connection, or the vendor account (and app) where the vendor counts so. */
  scopeId: string;
  /** Most calls in flight at once across every process. */
  limit: number;
  /**
   * How long a slot is held at most: longer than any call may take (the client's per-attempt timeout is
   * 30 s), so a live call never loses its slot, and a holder that died frees it after this.
   * @defaultValue 60000
   */
  leaseMs?: number;
  /**
   * Longest an interactive call waits for a slot before failing RATE_LIMITED; background calls never
   * wait (the queue reschedules them after `retryAfterMs`).
   * @defaultValue 2000
   */
  interactiveMaxWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** How often a waiting interactive call asks again: a slot frees when a call ends, well before its lease. */
const POLL_MS = 20;
/** A background call refused a slot comes back after this: calls end within a few hundred ms. */
const BACKGROUND_RETRY_MS = 250;

/**
 * A vendor's limit on concurrent requests (`CrmDeclaration.concurrentRequests`; each CRM's facts file
 * says where its figure comes from), counted in Redis across every gateway and worker so the fleet
 * together keeps under it instead of meeting it as 429s. Each call takes a slot before it is sent and
 * gives it back when it ends. Redis down fails the call UNAVAILABLE (retryable), as the budget gate does.
 */
export class ConcurrencyGate {
  private readonly key: string;
  private readonly leaseMs: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: ConcurrencyGateOptions) {
    this.key = redisKey(options.prefix, 'concurrency', options.crm, options.scopeId);
    this.leaseMs = options.leaseMs ?? 60_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async acquire(priority: CallPriority): Promise<ReleaseSlot> {
    const slot = crypto.randomUUID();
    const maxWait = priority === 'interactive' ? (this.options.interactiveMaxWaitMs ?? 2000) : 0;
    let waited = 0;
    for (;;) {
      const [taken, waitMs] = await this.take(slot);
      if (taken) return () => this.release(slot);
      if (waited >= maxWait) {
        throw new CrmRateLimitedError(
          `${this.options.limit} ${this.options.crm} requests are in flight for this connection (the vendor's concurrency limit)`,
          {
            crm: this.options.crm,
            retryAfterMs: priority === 'interactive' ? Math.min(waitMs, 1000) : BACKGROUND_RETRY_MS,
          },
        );
      }
      const pause = Math.min(POLL_MS, maxWait - waited);
      await this.sleep(pause);
      waited += pause;
    }
  }

  private async take(slot: string): Promise<[boolean, number]> {
    try {
      const [taken, waitMs] = (await ACQUIRE.run(
        this.options.redis,
        [this.key],
        [this.options.limit, this.leaseMs, slot],
      )) as [number, number];
      return [taken === 1, waitMs];
    } catch (err) {
      throw new CrmUnavailableError(`concurrency slots for ${this.options.crm} unavailable (Redis)`, {
        crm: this.options.crm,
        cause: err,
      });
    }
  }

  private async release(slot: string): Promise<void> {
    // A failed release leaves the slot to its lease: never the call's failure.
    await this.options.redis.zrem(this.key, slot).catch(() => undefined);
  }
}
