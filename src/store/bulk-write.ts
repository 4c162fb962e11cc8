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
 * A per-document update statement as FerretDB's SQLite backend can apply it by key: it looks a document
 * up by key only when the filter is exactly `{ _id }`; a filter with any other field is a scan of the
 * whole collection, decoding every document, for each statement (a batch of 200 outcomes over a
 * collection of thousands took minutes). Callers check any other condition first, in one query for the
 * whole batch ({@link stillMatching}); FerretDB applies a conditional update as a read then a write
 * anyway, so this is no weaker there — on MongoDB it is, which is why callers hold the group's lock.
 */
export function updateById<D>(id: string, set: Record<string, unknown>): { updateOne: D } {
  return { updateOne: { filter: { _id: id }, update: { $set: set } } as D };
}

/** Which of `ids` still match `guard`: one query (one scan at worst) for a whole batch. */
export async function stillMatching(
  find: (filter: Record<string, unknown>) => Promise<{ _id: unknown }[]>,
  ids: readonly string[],
  guard: Record<string, unknown>,
): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const found = await find({ _id: { $in: ids }, ...guard });
  return new Set(found.map((d) => String(d._id)));
}
