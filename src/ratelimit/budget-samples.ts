import { type RedisClient } from '../redis/client';
import { type BudgetReading } from './budget-gate';
import { redisKey } from '../redis/keys';

/**
 * What was left of a connection's budgets over the last hour, for the console's chart: one sample a
 * minute (the worker's `budget-sample` job), kept in Redis as a list per connection capped at
 * {@link MAX_BUDGET_SAMPLES} entries and expiring an hour after the last one, so a deleted or idle
 * connection's samples go by themselves. Not read from `/metrics`: that is per process and keeps no
 * history.
 */

/** An hour at one sample a minute. */
export const MAX_BUDGET_SAMPLES = 60;
const KEEP_MS = 3_600_000;

export interface BudgetSample {
  at: Date;
  /** Units left per budget name. */
  remaining: Record<string, number>;
}

export class BudgetSamples {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(connectionId: string): string {
    return redisKey(this.prefix, 'budget-samples', connectionId);
  }

  async record(connectionId: string, at: Date, readings: readonly BudgetReading[]): Promise<void> {
    const sample = { t: at.getTime(), r: Object.fromEntries(readings.map((b) => [b.name, b.remaining])) };
    const key = this.key(connectionId);
    await this.redis
      .multi()
      .lpush(key, JSON.stringify(sample))
      .ltrim(key, 0, MAX_BUDGET_SAMPLES - 1)
      .pexpire(key, KEEP_MS)
      .exec();
  }

  /** The connection's samples, oldest first; what cannot be parsed is skipped. */
  async read(connectionId: string): Promise<BudgetSample[]> {
    const raw = await this.redis.lrange(this.key(connectionId), 0, MAX_BUDGET_SAMPLES - 1);
    const samples: BudgetSample[] = [];
    for (const entry of raw.reverse()) {
      try {
        const { t, r } = JSON.parse(entry) as { t: unknown; r: unknown };
        if (typeof t !== 'number' || typeof r !== 'object' || r === null) continue;
        const remaining = Object.fromEntries(
          Object.entries(r).filter((kv): kv is [string, number] => typeof kv[1] === 'number'),
        );
        samples.push({ at: new Date(t), remaining });
      } catch {
        // A foreign or torn entry: skipped.
      }
    }
    return samples;
  }
}
