import mongoose from 'mongoose';
import { startThrowawayStores, type Stores } from '../../../src/runtime/services';
import { duplicatePositions, isStoreUnavailableError } from '../../../src/store/errors';
import { connectTestDatabase, dropTestDatabase, testStoreUrls } from '../../support/stores';

/**
 * An unordered insert that fails tells which documents it refused as duplicates — and only that may
 * read as "the others are stored". The driver wraps a lost connection in a bulk error listing no write
 * error; taking that for "none refused" made accepted writes vanish when the store was restarted
 * (issue 23, scenario 3). Both errors are real: a duplicate on the shared store, an outage on a
 * FerretDB of this file's own, killed.
 */
describe('what a failed unordered insert says was stored', () => {
  it('lists exactly the duplicates of a real duplicate-key bulk error', async () => {
    const conn = await connectTestDatabase('bulkdup');
    try {
      const col = conn.db!.collection('docs');
      await col.insertOne({ _id: 'b' } as never);
      const err = await col
        .insertMany([{ _id: 'a' }, { _id: 'b' }, { _id: 'c' }] as never[], { ordered: false })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(duplicatePositions(err, 3)).toEqual([1]);
      expect(isStoreUnavailableError(err)).toBe(false);
    } finally {
      await dropTestDatabase(conn);
    }
  });

  describe('while the store is down', () => {
    let stores: Stores;
    let conn: mongoose.Connection;
    beforeAll(async () => {
      stores = await startThrowawayStores('bulkdown', { redisUrl: testStoreUrls().redisUrl });
      conn = mongoose.createConnection(stores.mongodbUri, { dbName: 'bulk', serverSelectionTimeoutMS: 1000 });
      await conn.asPromise();
    });
    afterAll(async () => {
      await conn?.close().catch(() => undefined);
      await stores?.stop();
    });

    it('is no list of duplicates but a store outage, and nothing was stored', async () => {
      const col = conn.db!.collection('docs');
      await col.insertOne({ _id: 'before' } as never);
      const mongo = stores.started.find((s) => s.name === 'mongodb')!;
      process.kill(mongo.pid!, 'SIGKILL');
      for (const deadline = Date.now() + 10_000; mongo.running && Date.now() < deadline;) {
        await new Promise((r) => setTimeout(r, 20));
      }
      const docs = [{ _id: 'x' }, { _id: 'y' }];
      const err = await col.insertMany(docs as never[], { ordered: false }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(Error);
      expect(duplicatePositions(err, docs.length)).toBeNull();
      expect(isStoreUnavailableError(err)).toBe(true);
      await mongo.restart();
      expect(await col.countDocuments({ _id: { $in: ['x', 'y'] } } as never)).toBe(0);
    });
  });
});
