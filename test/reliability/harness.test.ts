import Bull from 'bull';
import Redis from 'ioredis';
import { disconnectRedis } from '../../src/runtime/services/redis-disconnect';
import { duplicates } from './support/write-checks';
import { startWriteHarness, type WriteHarness } from './support/write-harness';

/**
 * The crash harness itself, which the write scenarios (write-crashes.test.ts) trust: the worker really
 * dies and comes back as a new process, the private Redis keeps what it acknowledged across a SIGKILL
 * (its append-only file), and the sandbox's count by key sees a duplicate.
 */
describe('the write-path crash harness', () => {
  let h: WriteHarness;
  beforeAll(async () => {
    h = await startWriteHarness('cgwrelh');
  });
  afterAll(async () => {
    await h?.close();
  });

  it('kills the worker with SIGKILL and starts a new process on the same environment', async () => {
    const first = h.worker.pid!;
    expect(() => process.kill(first, 0)).not.toThrow();
    await h.crashWorker();
    // The old process is gone (signal 0 probes it), a new one reported ready.
    expect(() => process.kill(first, 0)).toThrow();
    expect(h.worker.pid).not.toBe(first);
    expect(h.worker.starts).toBe(2);
    expect(() => process.kill(h.worker.pid!, 0)).not.toThrow();
  });

  it('keeps keys and Bull jobs across a SIGKILL of its Redis (append-only file)', async () => {
    const client = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
    client.on('error', () => undefined); // refused while Redis is down
    const queue = new Bull('reliability-harness', { redis: h.redisUrl, prefix: 'cgwrelh' });
    try {
      await client.set('cgwrelh:probe', 'kept');
      await queue.add('probe', { n: 1 }, { jobId: 'probe-1', delay: 3_600_000 });
      const pid = h.redis.pid;
      await h.crashRedis();
      expect(h.redis.pid).not.toBe(pid);
      expect(await client.get('cgwrelh:probe')).toBe('kept');
      expect((await queue.getJob('probe-1'))?.data).toEqual({ n: 1 });
      expect(await queue.getDelayedCount()).toBe(1);
    } finally {
      await queue.close();
      disconnectRedis(client);
    }
  });

  it('counts sandbox records by a field, so a record written twice shows as a duplicate', async () => {
    const creds = h.stack.sandboxes.sandboxes.salesforce!.credentials.default!;
    const create = (email: string) =>
      fetch(`${String(creds.instanceUrl)}/services/data/v62.0/sobjects/Contact`, {
        method: 'POST',
        headers: { authorization: `Bearer ${String(creds.accessToken)}`, 'content-type': 'application/json' },
        body: JSON.stringify({ LastName: 'Harness', Email: email }),
      }).then((r) => expect(r.status).toBe(201));
    await create('once@example.org');
    await create('twice@example.org');
    await create('twice@example.org');
    const byEmail = h.stack.recordsBy('salesforce', 'contact', 'Email');
    expect(byEmail.get('once@example.org')).toBe(1);
    expect(byEmail.get('twice@example.org')).toBe(2);
    expect(duplicates(byEmail)).toEqual(['twice@example.org']);
  });
});
