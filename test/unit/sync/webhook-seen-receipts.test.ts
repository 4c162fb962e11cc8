import type Redis from 'ioredis';
import { createLogger } from '../../../src/logger';
import { SeenReceipts } from '../../../src/sync/webhooks/seen-receipts';

/** The Redis fast path of webhook dedupe fails open: MongoDB's `_id` stays the dedupe of record. */
describe('SeenReceipts', () => {
  const logger = createLogger({ level: 'silent' });

  it('answers "none known" and remembers nothing when Redis fails, without throwing', async () => {
    const broken = {
      mget: async () => {
        throw new Error('Connection is closed.');
      },
      pipeline: () => ({
        set: () => undefined,
        exec: async () => {
          throw new Error('Connection is closed.');
        },
      }),
    } as unknown as Redis;
    const seen = new SeenReceipts(broken, 'p', logger);
    await expect(seen.known(['a', 'b'])).resolves.toEqual(new Set());
    await expect(seen.remember(['a'])).resolves.toBeUndefined();
  });

  it('keys ids under the prefix with the TTL', async () => {
    const sets: unknown[][] = [];
    const redis = {
      mget: async (keys: string[]) => keys.map((k) => (k === 'p:webhook:seen:{receipts}:a' ? '1' : null)),
      pipeline: () => ({
        set: (...args: unknown[]) => sets.push(args),
        exec: async () => [],
      }),
    } as unknown as Redis;
    const seen = new SeenReceipts(redis, 'p', logger, 60);
    await expect(seen.known(['a', 'b'])).resolves.toEqual(new Set(['a']));
    await seen.remember(['b']);
    expect(sets).toEqual([['p:webhook:seen:{receipts}:b', '1', 'EX', 60]]);
  });
});
