import type mongoose from 'mongoose';
import { connectTestDatabase, dropTestDatabase } from '../../support/stores';

/**
 * `{_id: {$in: [...]}}` reaches the embedded store's SQLite as `WHERE _id IN (...)` (a FerretDB patch,
 * tools/ferretdb/patches.js); anything else falls back to FerretDB's own filtering. Either way the
 * answer must be MongoDB's: these cases cover the pushed-down form and each fallback.
 */

let conn: mongoose.Connection;
type Doc = { _id: string | number; n: number };
beforeAll(async () => {
  conn = await connectTestDatabase('id-in-lookups');
  const col = conn.db!.collection<Doc>('docs');
  await col.insertMany([
    ...Array.from({ length: 1_200 }, (_, i) => ({ _id: `d${i}`, n: i })),
    { _id: 7, n: -1 },
    { _id: 'quote"and\\slash', n: -2 },
    { _id: 'ünïcødé', n: -3 },
  ]);
});
afterAll(async () => {
  await dropTestDatabase(conn);
});

async function ids(filter: object): Promise<unknown[]> {
  const docs = await conn.db!.collection<Doc>('docs').find(filter).toArray();
  return docs.map((d) => d._id).sort((a, b) => String(a).localeCompare(String(b)));
}

it('finds exactly the listed string ids, missing ones skipped', async () => {
  expect(await ids({ _id: { $in: ['d3', 'd1', 'nope', 'd3'] } })).toEqual(['d1', 'd3']);
});

it('finds ids that need escaping in JSON and non-ASCII ids', async () => {
  expect(await ids({ _id: { $in: ['quote"and\\slash', 'ünïcødé'] } })).toEqual([
    'quote"and\\slash',
    'ünïcødé',
  ]);
});

it('falls back for lists with other types, empty lists and lists past the bound', async () => {
  expect(await ids({ _id: { $in: [7, 'd0'] } })).toEqual([7, 'd0']);
  expect(await ids({ _id: { $in: [] } })).toEqual([]);
  const many = Array.from({ length: 1_100 }, (_, i) => `d${i}`);
  expect(await ids({ _id: { $in: many } })).toHaveLength(1_100);
});

it('keeps the other operators of the same filter', async () => {
  expect(await ids({ _id: { $in: ['d1', 'd2'], $ne: 'd2' } })).toEqual(['d1']);
  expect(await ids({ _id: { $in: ['d1', 'd2'] }, n: 2 })).toEqual(['d2']);
});

it('updates and deletes by an id list', async () => {
  const col = conn.db!.collection<Doc>('docs');
  const updated = await col.updateMany({ _id: { $in: ['d10', 'd11'] } }, { $set: { n: 5_000 } });
  expect(updated.modifiedCount).toBe(2);
  expect(await ids({ n: 5_000 })).toEqual(['d10', 'd11']);
  const deleted = await col.deleteMany({ _id: { $in: ['d10', 'd11', 'gone'] } });
  expect(deleted.deletedCount).toBe(2);
});
