import { type Connection, type Model } from 'mongoose';

/** MongoDB's code for dropping an index that is not there (another process dropped it first). */
const INDEX_NOT_FOUND = 27;
/** MongoDB's code for listing the indexes of a collection that does not exist yet. */
const NAMESPACE_NOT_FOUND = 26;

/**
 * Creates every model's indexes before the first write — on a store that can use them.
 *
 * Unique indexes are always created: they are not there for speed but for correctness — a unique
 * insert is the one atomic primitive FerretDB offers (idempotency keys, webhook receipts, tenant
 * names). The others only speed up queries, and a store that never hands a query's filter to its
 * engine cannot use them: FerretDB 1.24 on SQLite, the embedded store, passes SQLite no filter but
 * `_id` (docs/writes.md "FerretDB cost"; its `explain` says `filterPushdown: false`). There every
 * secondary index is pure cost — each insert, update and delete extracts its fields from the stored
 * JSON again — about a fifth of the store's CPU per written document under the write engine's load
 * (`FERRETDB_PPROF_ADDR`, tools/ferretdb/main.go). So on such a store they are not created, and ones
 * an earlier version created are dropped. MongoDB (its `explain` has no `filterPushdown`) and
 * FerretDB on PostgreSQL (which pushes equality filters down) keep them all.
 */
export async function ensureIndexes(conn: Connection, models: readonly Model<never>[]): Promise<void> {
  await Promise.all(models.map((m) => createIndexes(m, { uniqueOnly: true })));
  if (await canUseSecondaryIndexes(conn, models)) {
    await Promise.all(models.map((m) => createIndexes(m, { uniqueOnly: false })));
    return;
  }
  await Promise.all(models.map(dropSecondaryIndexes));
}

async function createIndexes(model: Model<never>, { uniqueOnly }: { uniqueOnly: boolean }): Promise<void> {
  for (const [fields, options] of model.schema.indexes()) {
    if (uniqueOnly && !options.unique) continue;
    await model.collection.createIndex(fields as Record<string, 1 | -1>, options as Record<string, unknown>);
  }
}

/**
 * Whether the store hands an equality filter on a plain field to its engine, asked through `explain` on
 * a collection that exists (one with a unique index, created just before): a FerretDB backend answers
 * `filterPushdown`; MongoDB does not have the field and plans with its indexes.
 */
async function canUseSecondaryIndexes(conn: Connection, models: readonly Model<never>[]): Promise<boolean> {
  const probe = models.find((m) => m.schema.indexes().some(([, options]) => options.unique));
  if (!probe) return true;
  const field = Object.keys(probe.schema.indexes().find(([, options]) => options.unique)![0])[0]!;
  try {
    const plan = await conn.db!.command({
      explain: { find: probe.collection.collectionName, filter: { [field]: 'index-probe' } },
      verbosity: 'queryPlanner',
    });
    return plan.filterPushdown !== false;
  } catch {
    // A store that cannot explain: keep the indexes, the safe side for a real MongoDB.
    return true;
  }
}

async function dropSecondaryIndexes(model: Model<never>): Promise<void> {
  let existing: { name?: string; unique?: boolean }[];
  try {
    existing = await model.collection.indexes();
  } catch (err) {
    if ((err as { code?: number }).code === NAMESPACE_NOT_FOUND) return;
    throw err;
  }
  for (const index of existing) {
    if (!index.name || index.name === '_id_' || index.unique) continue;
    try {
      await model.collection.dropIndex(index.name);
    } catch (err) {
      if ((err as { code?: number }).code !== INDEX_NOT_FOUND) throw err;
    }
  }
}
