import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadEnv } from '../../../src/config/env';
import { QueueFactory } from '../../../src/queue/queues';
import { pingWorker } from '../../../src/queue/system.producer';
import {
  type RuntimeInfo,
  storesForProcess,
  withRunningDemoSettings,
  writeRuntimeInfo,
} from '../../../src/runtime/local-stores';
import { testStoreUrls, uniqueName } from '../../support/stores';

const BIN = path.resolve(__dirname, '../../../dist/bin');
const CREDENTIALS_KEYS = `t:${Buffer.alloc(32, 7).toString('base64')}`;

/**
 * `npm run gateway` / `npm run worker` on their own find their stores as `npm run admin` does: the
 * environment first, else a running `npm start`'s (its runtime file in DATA_DIR), else an error that
 * names both ways out.
 */
describe('stores of a gateway or worker started on its own', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

  function dataDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-stores-'));
    dirs.push(dir);
    return dir;
  }

  /** What a running `npm start` leaves in its data directory; `pid` must be alive to count. */
  function pretendNpmStart(dir: string, info: Partial<RuntimeInfo> = {}): RuntimeInfo {
    const written: RuntimeInfo = {
      pid: process.pid,
      mongodbUri: 'mongodb://127.0.0.1:1/started',
      redisUrl: 'redis://127.0.0.1:2',
      ...info,
    };
    writeRuntimeInfo(loadEnv({ DATA_DIR: dir }), written);
    return written;
  }

  it("takes a running npm start's demo settings from its data directory, outside production and for its own MongoDB only", () => {
    const dir = dataDir();
    const running = pretendNpmStart(dir, {
      demo: {
        vendorUrlAllowlist: ['http://127.0.0.1:*'],
        oauthApps: { salesforce: { clientId: 'demo-id', clientSecret: 'demo-secret' } },
        defaultVendorUrls: { salesforce: { auth: 'http://127.0.0.1:4100' } },
      },
    });
    const dev = loadEnv({ DATA_DIR: dir });
    const demo = withRunningDemoSettings(dev, storesForProcess(dev, 'gateway'));
    expect(demo.ALLOW_VENDOR_URL_OVERRIDES).toBe(true);
    expect(demo.VENDOR_URL_ALLOWLIST).toEqual(['http://127.0.0.1:*']);
    expect(demo.CRM_OAUTH_APPS.salesforce).toEqual({ clientId: 'demo-id', clientSecret: 'demo-secret' });
    expect(demo.CRM_DEFAULT_VENDOR_URLS.salesforce).toEqual({ auth: 'http://127.0.0.1:4100' });

    // Production, or other stores than the demo's: the operator's settings alone.
    const prod = loadEnv({ DATA_DIR: dir, NODE_ENV: 'production', CREDENTIALS_KEYS });
    expect(withRunningDemoSettings(prod, storesForProcess(prod, 'gateway'))).toBe(prod);
    const own = { mongodbUri: 'mongodb://own:27017/db', redisUrl: running.redisUrl };
    expect(withRunningDemoSettings(dev, own)).toBe(dev);
  });

  it('takes MONGODB_URI and REDIS_URL first, then a running npm start, per variable', () => {
    const dir = dataDir();
    const running = pretendNpmStart(dir);
    const explicit = { MONGODB_URI: 'mongodb://own:27017/db', REDIS_URL: 'redis://own:6379' };
    expect(storesForProcess(loadEnv({ DATA_DIR: dir, ...explicit }), 'gateway')).toEqual({
      mongodbUri: explicit.MONGODB_URI,
      redisUrl: explicit.REDIS_URL,
    });
    expect(storesForProcess(loadEnv({ DATA_DIR: dir }), 'gateway')).toEqual({
      mongodbUri: running.mongodbUri,
      redisUrl: running.redisUrl,
    });
    expect(storesForProcess(loadEnv({ DATA_DIR: dir, REDIS_URL: explicit.REDIS_URL }), 'worker')).toEqual({
      mongodbUri: running.mongodbUri,
      redisUrl: explicit.REDIS_URL,
    });
  });

  it('ignores the runtime file of an npm start that is gone, and names both ways out', () => {
    const dir = dataDir();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    pretendNpmStart(dir, { pid: gone });
    const err = (() => {
      try {
        storesForProcess(loadEnv({ DATA_DIR: dir }), 'worker');
        return null;
      } catch (e) {
        return e as Error;
      }
    })();
    expect(err?.message).toContain('set MONGODB_URI and REDIS_URL');
    expect(err?.message).toContain('`npm start`');
    expect(err?.message).toContain(dir);
  });

  function run(bin: 'gateway' | 'worker', env: NodeJS.ProcessEnv) {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', PORT: '0', ...env };
    for (const name of ['MONGODB_URI', 'REDIS_URL']) if (!(name in env)) delete childEnv[name];
    const child = spawn(process.execPath, [path.join(BIN, `${bin}.js`)], {
      env: childEnv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const ready = new Promise<{ url?: string }>((resolve, reject) => {
      child.on('message', (m: { type?: string; url?: string }) => m.type === 'ready' && resolve(m));
      void exited.then((code) => reject(new Error(`${bin} exited with ${code} before ready:\n${output}`)));
    });
    return { child, exited, ready, output: () => output };
  }

  it.each(['gateway', 'worker'] as const)(
    'npm run %s without stores exits 1 naming MONGODB_URI, REDIS_URL and npm start',
    async (bin) => {
      const proc = run(bin, { DATA_DIR: dataDir() });
      proc.ready.catch(() => undefined);
      expect(await proc.exited).toBe(1);
      expect(proc.output()).toContain(`the ${bin} found no stores: set MONGODB_URI and REDIS_URL`);
      expect(proc.output()).toContain('`npm start`');
    },
  );

  it('npm run gateway and npm run worker use the stores of a running npm start', async () => {
    const dir = dataDir();
    const { mongodbUri, redisUrl } = testStoreUrls();
    const uri = new URL(mongodbUri);
    uri.pathname = `/${uniqueName('alone')}`;
    pretendNpmStart(dir, { mongodbUri: uri.toString(), redisUrl });
    const prefix = uniqueName('alone');
    const env = { DATA_DIR: dir, REDIS_PREFIX: prefix, CREDENTIALS_KEYS };
    const gateway = run('gateway', env);
    const worker = run('worker', env);
    const queues = new QueueFactory({ redisUrl, prefix });
    try {
      const { url } = await gateway.ready;
      expect((await fetch(`${url}/readyz`)).status).toBe(200);
      await worker.ready;
      // The worker answers on the npm start's Redis, under the prefix it was given. Sent to an idle
      // worker on purpose: it answers before Bull's job.finished() subscribes (see system.producer.ts).
      expect((await pingWorker(queues, 20000)).pid).toBe(worker.child.pid);
    } finally {
      await queues.close();
      for (const p of [gateway, worker]) if (p.child.exitCode === null) p.child.kill('SIGTERM');
    }
    expect(await gateway.exited).toBe(0);
    expect(await worker.exited).toBe(0);
  }, 60000);
});
