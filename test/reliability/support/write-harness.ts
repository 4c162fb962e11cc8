import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { type EmbeddedService } from '../../../src/runtime/services';
import { startEmbeddedRedis } from '../../../src/runtime/services/redis';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { type ReadStack, type ReadTenant, smallOrgs, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { startWorkerProcess, type WorkerProcess, workerEnv } from '../../support/worker-process';

/**
 * The write path's crash harness (issue 17, "Tests"): the sandboxes and a gateway (the read stack) over
 * the shared MongoDB-wire store and a private Redis with an append-only file on its own port, and a
 * real worker process (dist/bin/worker.js) that can be `kill -9`ed and restarted. The Redis can be
 * crashed (SIGKILL) and restarted on the same port and directory: what it acknowledged comes back from
 * the AOF. The sandbox counts records by a key the writer sets once per intended record.
 */
export interface WriteHarness {
  stack: ReadStack;
  tenant: ReadTenant;
  redis: EmbeddedService;
  redisUrl: string;
  worker: WorkerProcess;
  /** SIGKILL the worker and start a new one on the same environment. */
  crashWorker(): Promise<void>;
  /** SIGKILL Redis (no shutdown, no final AOF rewrite) and start it again from its directory. */
  crashRedis(): Promise<void>;
  close(): Promise<void>;
}

export interface WriteHarnessOptions {
  /**
   * `always`: Redis fsyncs every write before it answers, so a crash loses nothing it acknowledged
   * (the test is then about our recovery, not Redis's). `everysec` (Redis's default): up to a second
   * of acknowledged writes is lost — what the reconciler of QUEUED operations must make up for.
   * @defaultValue 'always'
   */
  appendfsync?: 'always' | 'everysec';
}

async function configure(url: string, appendfsync: string): Promise<void> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    await client.config('SET', 'appendfsync', appendfsync);
  } finally {
    disconnectRedis(client);
  }
}

export async function startWriteHarness(
  prefix: string,
  options: WriteHarnessOptions = {},
): Promise<WriteHarness> {
  const appendfsync = options.appendfsync ?? 'always';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-aof-'));
  const redis = await startEmbeddedRedis({ dir, persistent: true });
  const redisUrl = redis.url;
  const cleanups: (() => Promise<void>)[] = [
    async () => {
      await redis.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  ];
  try {
    await configure(redisUrl, appendfsync);
    const { mongodbUri } = testStoreUrls();
    const name = uniqueName(prefix);
    const keys = KeyRing.generateSpec('rel');
    const stack = await startReadStack({
      mongodbUri,
      redisUrl,
      name,
      orgs: smallOrgs(['default'], 3),
      keyRing: KeyRing.parse(keys),
    });
    cleanups.unshift(() => stack.close());
    const tenant = await stack.tenant('reliability');
    // Creates are sent as upserts on the gateway key (valued with the operation id), so one a crash
    // interrupted is resent safely instead of ending OUTCOME_UNKNOWN (docs/writes.md "Exactly once").
    const sf = await stack.ctx.store.connections.getById(tenant.connections.salesforce);
    await stack.ctx.store.connections.update(sf.id, {
      settings: { ...sf.settings, gatewayKeyField: 'External_Id__c' },
    });
    const worker = await startWorkerProcess(
      workerEnv(stack.gatewayEnv(0), { mongodbUri, redisUrl, name, credentialsKeys: keys }),
    );
    cleanups.unshift(() => worker.stop());
    return {
      stack,
      tenant,
      redis,
      redisUrl,
      worker,
      async crashWorker() {
        await worker.kill9();
        await worker.restart();
      },
      async crashRedis() {
        const pid = redis.pid;
        if (pid === undefined) throw new Error('the private Redis is not running');
        process.kill(pid, 'SIGKILL');
        for (const deadline = Date.now() + 10_000; redis.running && Date.now() < deadline;) {
          await new Promise((r) => setTimeout(r, 20));
        }
        await redis.restart();
        // CONFIG SET is not persisted: a restarted Redis is back on the AOF's default fsync.
        await configure(redisUrl, appendfsync);
      },
      async close() {
        for (const cleanup of cleanups.splice(0)) await cleanup().catch(() => undefined);
      },
    };
  } catch (err) {
    for (const cleanup of cleanups) await cleanup().catch(() => undefined);
    throw err;
  }
}

/** Keys counted more than once (of {@link ReadStack.recordsBy}): records the vendor holds twice. */
export function duplicates(counts: Map<string, number>): string[] {
  return [...counts].filter(([, n]) => n > 1).map(([k]) => k);
}
