import { type Logger } from '../../logger';
import { type BudgetReading } from '../../ratelimit/budget-gate';
import { type BudgetSamples } from '../../ratelimit/budget-samples';
import { type ConnectionsRepository } from '../../store/repositories/connections.repo';
import { type ConnectionView } from '../../store/repositories/connections.repo';

/** The repeatable job of the `system` queue that samples every connection's budgets (budget-samples.ts). */
export const BUDGET_SAMPLE_JOB = 'budget-sample';
export const BUDGET_SAMPLE_EVERY_MS = 60_000;

export interface BudgetSampleDeps {
  connections: Pick<ConnectionsRepository, 'listAll'>;
  readings: (connection: ConnectionView) => Promise<BudgetReading[]>;
  samples: Pick<BudgetSamples, 'record'>;
  logger: Pick<Logger, 'warn'>;
  now?: () => Date;
}

/**
 * Records what is left of each connection's budgets, every connection whatever its status (a paused
 * connection's budget still refills, and the chart shows it). Nothing is taken: each reading is a dry
 * run of the budget script. A connection whose budgets cannot be read is skipped and logged; the
 * others are sampled.
 */
export function processBudgetSample(deps: BudgetSampleDeps) {
  return async (): Promise<{ sampled: number; failed: number }> => {
    const at = (deps.now ?? (() => new Date()))();
    const result = { sampled: 0, failed: 0 };
    for (const connection of await deps.connections.listAll()) {
      try {
        await deps.samples.record(connection.id, at, await deps.readings(connection));
        result.sampled += 1;
      } catch (err) {
        result.failed += 1;
        deps.logger.warn({ err, connectionId: connection.id }, 'budgets not sampled');
      }
    }
    return result;
  };
}
