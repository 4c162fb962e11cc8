import { AsyncLocalStorage } from 'node:async_hooks';
import { type Connection } from 'mongoose';
import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from '../metrics';

/**
 * Counts MongoDB commands (round trips) from the driver's command monitoring, in total and per unit
 * of work: a GraphQL operation, a test's step, a bench's request. The unit is carried by
 * AsyncLocalStorage, so every command started from inside it is counted, however deep the call.
 */

/** What one unit of work sent to the store. */
export interface StoreCommandTally {
  commands: number;
}

const current = new AsyncLocalStorage<StoreCommandTally>();
let issued = 0;

const commandsTotal = new Counter({
  name: 'cgw_store_commands_total',
  help: 'MongoDB commands this process sent (every round trip to the store)',
  registers: [metricsRegistry],
});

export const storeCommandsPerOperation = new Histogram({
  name: 'cgw_store_commands_per_operation',
  help: 'MongoDB commands sent while answering one GraphQL operation over HTTP (0 for a warm read), for one operation in STORE_COMMANDS_SAMPLE_EVERY',
  buckets: [0, 1, 2, 3, 5, 10, 20, 50],
  registers: [metricsRegistry],
});

/** Counts the commands of `conn` (opened with `monitorCommands: true`). */
export function monitorStoreCommands(conn: Connection): void {
  conn.getClient().on('commandStarted', () => {
    issued += 1;
    commandsTotal.inc();
    const tally = current.getStore();
    if (tally) tally.commands += 1;
  });
}

/** Runs `fn` as one unit of work; its tally counts every command `fn` starts, until it settles and after. */
export function withStoreCommandTally<T>(tally: StoreCommandTally, fn: () => T): T {
  return current.run(tally, fn);
}

/**
 * Stops carrying tallies once no unit of work needs one. On Node 20, AsyncLocalStorage adds a hook
 * to every promise the process creates while any storage is enabled (measured: about a tenth of a warm
 * request's CPU); disabled, those hooks are off again. A tally still running is not counted further.
 */
export function stopStoreCommandTallies(): void {
  current.disable();
}

/** Runs `fn` and reports how many store commands it sent. */
export async function countStoreCommands<T>(fn: () => Promise<T>): Promise<{ result: T; commands: number }> {
  const tally: StoreCommandTally = { commands: 0 };
  const result = await withStoreCommandTally(tally, fn);
  return { result, commands: tally.commands };
}

/** The tally of the unit of work the caller runs in, if any. */
export function currentStoreCommandTally(): StoreCommandTally | undefined {
  return current.getStore();
}

/**
 * Commands this process has sent since it started: for a caller outside the process's async context
 * (a bench sending HTTP requests) that reads it before and after a run.
 */
export function storeCommandsIssued(): number {
  return issued;
}
