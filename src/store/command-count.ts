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
  help: 'MongoDB commands this process sent (every round trip to the store), by command and collection',
  labelNames: ['command', 'collection'],
  registers: [metricsRegistry],
});

/**
 * Documents the store answered with, by collection: on the embedded store a document costs its decoding
 * whatever the filter (docs/writes.md "FerretDB cost"), so this, not the command count, says which
 * collection's reads the store's CPU goes to.
 */
const documentsReturned = new Counter({
  name: 'cgw_store_documents_returned_total',
  help: 'Documents the store returned to this process (find and getMore batches), by collection',
  labelNames: ['collection'],
  registers: [metricsRegistry],
});

/** The commands whose first field names a collection: all this process sends but admin ones. */
const NAMED_COLLECTION =
  /^(find|getMore|insert|update|delete|aggregate|count|distinct|findAndModify|createIndexes|dropIndexes|listIndexes)$/;

/** The collection a command works on (getMore names it in `collection`); `-` for admin commands. */
function collectionOf(command: Record<string, unknown>, name: string): string {
  if (name === 'getMore') return String(command.collection ?? '-');
  return NAMED_COLLECTION.test(name) ? String(command[name] ?? '-') : '-';
}

export const storeCommandsPerOperation = new Histogram({
  name: 'cgw_store_commands_per_operation',
  help: 'MongoDB commands sent while answering one GraphQL operation over HTTP (0 for a warm read), for one operation in STORE_COMMANDS_SAMPLE_EVERY',
  buckets: [0, 1, 2, 3, 5, 10, 20, 50],
  registers: [metricsRegistry],
});

/** Counts the commands of `conn` (opened with `monitorCommands: true`). */
export function monitorStoreCommands(conn: Connection): void {
  // A getMore's reply does not name its collection: remembered by request id from its start.
  const pending = new Map<number, string>();
  const client = conn.getClient();
  client.on('commandStarted', (event) => {
    issued += 1;
    const collection = collectionOf(event.command as Record<string, unknown>, event.commandName);
    commandsTotal.inc({ command: event.commandName, collection });
    if (event.commandName === 'find' || event.commandName === 'getMore')
      pending.set(event.requestId, collection);
    const tally = current.getStore();
    if (tally) tally.commands += 1;
  });
  client.on('commandSucceeded', (event) => {
    const collection = pending.get(event.requestId);
    if (collection === undefined) return;
    pending.delete(event.requestId);
    const cursor = (event.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
    const batch = cursor?.firstBatch ?? cursor?.nextBatch;
    if (batch) documentsReturned.inc({ collection }, batch.length);
  });
  client.on('commandFailed', (event) => pending.delete(event.requestId));
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
