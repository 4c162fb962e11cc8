import { type AnyBulkWriteOperation } from 'mongoose';

/**
 * Most statements one bulkWrite sends. FerretDB 1.24.2 as released holds one SQLite connection per
 * statement until its update command ends, and a database has 100: a command of 100 statements never
 * answered, nor did a few concurrent commands of 50. The embedded build carries a fix
 * (tools/ferretdb/patches.js); chunks stay bounded so that a FerretDB someone runs without it, named by
 * MONGODB_URI, survives one writer at a time — still one round trip per 50 documents, not per document.
 */
export const BULK_WRITE_CHUNK = 50;

/**
 * Sends `writes` through `bulkWrite` (a model's, with its options) in chunks of
 * {@link BULK_WRITE_CHUNK}, in order, each retried while SQLite is busy. Returns the round trips.
 */
export async function bulkWriteChunked<W>(
  bulkWrite: (chunk: W[]) => Promise<unknown>,
  writes: readonly W[],
): Promise<number> {
  let roundTrips = 0;
  for (let i = 0; i < writes.length; i += BULK_WRITE_CHUNK) {
    const chunk = writes.slice(i, i + BULK_WRITE_CHUNK);
    await retryBusy(() => bulkWrite(chunk));
    roundTrips += 1;
  }
  return roundTrips;
}

/**
 * Most ids one `{_id: {$in: […]}}` read sends. The embedded store searches the `_id` index for a list of
 * up to 1,000 strings (tools/ferretdb/patches.js); a longer list decodes the whole collection, which
 * turns a backfill of n records into n²/page work.
 */
export const ID_IN_CHUNK = 1_000;

/** Reads the documents of `ids` by `{_id: {$in}}` in chunks of {@link ID_IN_CHUNK}, in order of chunks. */
export async function findByIdsChunked<T>(
  ids: readonly string[],
  find: (chunk: string[]) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += ID_IN_CHUNK) out.push(...(await find(ids.slice(i, i + ID_IN_CHUNK))));
  return out;
}

/** Runs a store write again when SQLite reports the database busy (concurrent writers; retryable). */
export async function retryBusy<T>(write: () => Promise<T>, attempts = 4): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await write();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      if (i >= attempts || !/SQLITE_BUSY|database is locked/i.test(message)) throw err;
      await new Promise((r) => setTimeout(r, 20 * i));
    }
  }
}

/**
 * One statement of a bulkWrite: `$set` on the document with this `_id`, filtered by nothing else.
 *
 * Why nothing else: FerretDB 1.24 (SQLite) hands a query to SQLite only when its filter is exactly
 * `{_id: <string>}`; any other filter — a second key, `{_id: {$in: …}}` — has FerretDB read and decode
 * every document of the collection, once per statement. As released, even `{_id}` was a
 * scan (the lookup's expression differed from the `_id` index's); the embedded build patches that
 * (tools/ferretdb/patches.js), so with it an `{_id}` statement is an index search.
 * As released, every document an update changed was its own transaction, whether sent as an updateMany
 * or one statement each; the embedded build writes a statement's documents in one transaction, so an
 * updateMany by `{_id: {$in}}` is cheaper still where the `$set` is shared
 * (src/store/repositories/write-outcome.updates.ts, updatesById). Use this where
 * nothing else can write the document meanwhile (the caller holds the lock that serialises its
 * writers); keep a guarding filter where something can.
 */
export function updateById<D extends object>(
  id: string,
  set: Record<string, unknown>,
): AnyBulkWriteOperation<D> {
  return { updateOne: { filter: { _id: id }, update: { $set: set } } } as AnyBulkWriteOperation<D>;
}
