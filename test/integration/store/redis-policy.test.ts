import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import Redis from 'ioredis';
import { assertRedisKeepsJobs, startEmbeddedRedis } from '../../../src/runtime/services/redis';
import { type RunningService } from '../../../src/runtime/services';

/** Bull loses jobs on an evicting Redis: we refuse one. Uses a Redis of its own (it changes CONFIG). */
describe('Redis eviction policy guard', () => {
  let redis: RunningService;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-redis-'));
    redis = await startEmbeddedRedis({ dir, persistent: false });
  });
  afterAll(async () => {
    await redis.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('accepts the embedded Redis (started with noeviction)', async () => {
    await expect(assertRedisKeepsJobs(redis.url)).resolves.toBeUndefined();
  });

  it('refuses a Redis that evicts keys, naming the policy and the fix', async () => {
    const client = new Redis(redis.url);
    try {
      await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
      await expect(assertRedisKeepsJobs(redis.url)).rejects.toThrow(
        /maxmemory-policy=allkeys-lru; crm-gateway needs noeviction.*CONFIG SET maxmemory-policy noeviction/s,
      );
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
      client.disconnect();
    }
  });
});
