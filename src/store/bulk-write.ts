import { type AnyBulkWriteOperation } from 'mongoose';

/**
 * Most statements one bulkWrite sends. FerretDB 1.24 never answers an update command of 100
 * statements or more (measured: 99 statements take ~0.5 s, 100 hang past minutes), so larger bulk
 * writes go out in chunks of this many — still one round trip per 50 documents, not one per document.
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
 * every document of the collection, once per statement. Even `{_id}` is a scan (its `_id` lookup is
 * `sjson->'$._id'` while its `_id` index is on `sjson->"_id"`, so SQLite uses no index), but a scan in
 * SQLite, not in Go: measured with 5,000 operations stored, ~30–150 ms per statement against ~0.6–1.5 s.
 * And every document an update changes is its own transaction (looked up the same way) whether sent as
 * an updateMany or one statement each, so an updateMany saves no write, only round trips. Use it where
 * nothing else can write the document meanwhile (the caller holds the lock that serialises its
 * writers); keep a guarding filter where something can.
 */
export function updateById<D extends object>(
  id: string,
  set: Record<string, unknown>,
): AnyBulkWriteOperation<D> {
  return { updateOne: { filter: { _id: id }, update: { $set: set } } } as AnyBulkWriteOperation<D>;
}
