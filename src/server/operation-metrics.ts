import { type RequestHandler } from 'express';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics';
import {
  currentStoreCommandTally,
  stopStoreCommandTallies,
  storeCommandsPerOperation,
  withStoreCommandTally,
} from '../store/command-count';

/**
 * Per-operation metrics. Labels:
 * - `operation`: the operation name clients chose (bounded, see {@link operationLabel});
 * - `type`: query | mutation | subscription | unknown (the operation never parsed);
 * - `result`: ok | error (executed, with errors) | rejected (stopped before execution: syntax,
 *   validation, limits, authentication).
 */
export type OperationResult = 'ok' | 'error' | 'rejected';

const LABELS = ['operation', 'type', 'result'] as const;

export const operationDuration = new Histogram({
  name: 'graphql_operation_duration_seconds',
  help: 'Time from receiving a GraphQL operation to its response (subscriptions: to their setup).',
  labelNames: LABELS,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/**
 * The histogram's `_count` series under its own name, copied from it when the metrics are read: an
 * operation is recorded once (a labelled update hashes and checks its labels, and a second one per
 * operation cost as much as the first), and the two can never disagree.
 */
export const operationsTotal = new Counter({
  name: 'graphql_operations_total',
  help: 'GraphQL operations handled, by operation name, type and result.',
  labelNames: LABELS,
  registers: [metricsRegistry],
  async collect() {
    const { values } = await operationDuration.get();
    this.reset();
    for (const v of values) {
      if (v.metricName === 'graphql_operation_duration_seconds_count') this.inc(v.labels, v.value);
    }
  },
});

/** Names are client-chosen: past this many distinct ones, new names are counted as "other". */
const MAX_DISTINCT_NAMES = 500;
const seenNames = new Set<string>();

export function operationLabel(name: string | null | undefined): string {
  if (!name) return 'anonymous';
  // Only names that passed the pattern are ever kept: a known one needs no second test.
  if (seenNames.has(name)) return name;
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,99}$/.test(name)) return 'other';
  if (seenNames.size >= MAX_DISTINCT_NAMES) return 'other';
  seenNames.add(name);
  return name;
}

export function recordOperation(
  labels: { operation: string | null | undefined; type: string | undefined; result: OperationResult },
  seconds: number,
): void {
  const l = {
    operation: operationLabel(labels.operation),
    type: labels.type ?? 'unknown',
    result: labels.result,
  };
  operationDuration.observe(l, seconds);
}

/**
 * Runs the rest of one HTTP GraphQL request in `every` as one unit of store work, so the MongoDB
 * commands it sends are counted for it ({@link recordOperationStoreCommands}). One sampled request at a
 * time: the tally context is switched off again when it ends ({@link stopStoreCommandTallies}), so the
 * other requests run without AsyncLocalStorage's per-promise hook. Commands of requests running beside
 * the sampled one are not in its tally (they are outside its context).
 */
export function sampleOperationStoreCommands(every: number): RequestHandler {
  let sinceLast = every - 1;
  let inFlight = false;
  return (_req, res, next) => {
    sinceLast += 1;
    if (inFlight || sinceLast < every) {
      next();
      return;
    }
    sinceLast = 0;
    inFlight = true;
    res.once('close', () => {
      inFlight = false;
      stopStoreCommandTallies();
    });
    withStoreCommandTally({ commands: 0 }, () => next());
  };
}

/** Observes the store round trips of the operation the caller runs in (none outside one). */
export function recordOperationStoreCommands(): void {
  const tally = currentStoreCommandTally();
  if (tally) storeCommandsPerOperation.observe(tally.commands);
}
