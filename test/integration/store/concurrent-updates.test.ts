import type mongoose from 'mongoose';
import { connectTestDatabase, dropTestDatabase } from '../../support/stores';

/**
 * The embedded store must never stop answering under concurrent multi-statement updates. FerretDB
 * 1.24.2 as released keeps every statement's cursor open until its update command ends, each holding
 * one of the database's 100 SQLite connections: a command of 100 statements, or a few concurrent
 * commands of 50 (a worker recording a batch's outcomes while another claims), took them all and every
 * writer of the database waited for ever — the write path's crash scenarios stalled on exactly this.
 * scripts/setup.js builds it with tools/ferretdb/patches.js applied; against an unpatched build these
 * tests hang until Jest's timeout fails them.
 */

let conn: mongoose.Connection;
beforeAll(async () => {
  conn = await connectTestDatabase('concurrent-updates');
});
afterAll(async () => {
  await dropTestDatabase(conn);
});

const DOCS = 240;

beforeEach(async () => {
  const col = conn.db!.collection<{ _id: string; n: number }>('ops');
  await col.deleteMany({});
  await col.insertMany(Array.from({ length: DOCS }, (_, i) => ({ _id: `o${i}`, n: 0 })));
});

function statements(from: number, count: number, value: number) {
  return Array.from({ length: count }, (_, i) => ({
    updateOne: { filter: { _id: `o${from + i}` }, update: { $set: { n: value } } },
  }));
}

it('answers one update command of 120 statements', async () => {
  const col = conn.db!.collection<{ _id: string; n: number }>('ops');
  const result = await col.bulkWrite(statements(0, 120, 1), { ordered: true });
  expect(result.modifiedCount).toBe(120);
  expect(await col.countDocuments({ n: 1 })).toBe(120);
}, 60_000);

it('answers four concurrent update commands of 60 statements each', async () => {
  const col = conn.db!.collection<{ _id: string; n: number }>('ops');
  const results = await Promise.all(
    [0, 1, 2, 3].map((k) => col.bulkWrite(statements(k * 60, 60, 2), { ordered: false })),
  );
  expect(results.map((r) => r.modifiedCount)).toEqual([60, 60, 60, 60]);
  expect(await col.countDocuments({ n: 2 })).toBe(DOCS);
}, 90_000);
