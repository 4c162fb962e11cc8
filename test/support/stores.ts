import crypto from 'node:crypto';
import mongoose from 'mongoose';

/** URLs of the stores started by the global setup. */
export function testStoreUrls(): { mongodbUri: string; redisUrl: string } {
  const mongodbUri = process.env.TEST_MONGODB_URI;
  const redisUrl = process.env.TEST_REDIS_URL;
  if (!mongodbUri || !redisUrl)
    throw new Error('test stores are not running: run tests through `npm test` / jest');
  return { mongodbUri, redisUrl };
}

/** A name no other test file uses: a database or a queue prefix of one's own. */
export function uniqueName(prefix: string): string {
  return `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
}

/** A mongoose connection to a fresh database; drop it with {@link dropTestDatabase}. */
export async function connectTestDatabase(prefix = 'test'): Promise<mongoose.Connection> {
  const conn = mongoose.createConnection(testStoreUrls().mongodbUri, { dbName: uniqueName(prefix) });
  await conn.asPromise();
  return conn;
}

export async function dropTestDatabase(conn: mongoose.Connection): Promise<void> {
  await conn.dropDatabase().catch(() => undefined);
  await conn.close();
}
