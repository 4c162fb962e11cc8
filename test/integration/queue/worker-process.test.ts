import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { QueueFactory } from '../../../src/queue/queues';
import { redisEnvOf } from '../../../src/redis/address';
import { pingWorker } from '../../../src/queue/system.producer';
import { testStoreUrls, uniqueName } from '../../support/stores';

/** A job enqueued here (one process) is processed by the compiled worker (another), over real Redis. */
describe('worker process', () => {
  let worker: ChildProcess;
  let queues: QueueFactory;
  const prefix = uniqueName('cgwq');

  beforeAll(() => {
    const { mongodbUri, redisUrl } = testStoreUrls();
    worker = spawn(process.execPath, [path.resolve(__dirname, '../../../dist/bin/worker.js')], {
      env: {
        ...process.env,
        MONGODB_URI: mongodbUri,
        ...redisEnvOf(redisUrl),
        REDIS_PREFIX: prefix,
        CREDENTIALS_KEYS: `t:${Buffer.alloc(32, 1).toString('base64')}`,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    queues = new QueueFactory({ redisUrl, prefix });
  });

  afterAll(async () => {
    await queues.close();
    if (worker.exitCode === null) {
      const exited = new Promise((r) => worker.once('exit', r));
      worker.kill('SIGTERM');
      await exited;
    }
  });

  it('answers a ping job from its own process', async () => {
    const reply = await pingWorker(queues, 20000);
    expect(reply.pid).toBe(worker.pid);
    expect(reply.pid).not.toBe(process.pid);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((r) => worker.once('exit', (code) => r(code)));
    worker.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
