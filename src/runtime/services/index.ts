import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedFerretDb } from './ferretdb';
import { assertRedisKeepsJobs, startEmbeddedRedis } from './redis';
import { type EmbeddedService } from './embedded';

export type { RunningService } from './types';
export { EmbeddedService, type Crash } from './embedded';
export { DEFAULT_RESTART_POLICY, type RestartPolicy, superviseServices } from './supervisor';
export { freePort } from './free-port';

export interface StoresOptions {
  /** External MongoDB; when set, nothing embedded is started for it. */
  mongodbUri?: string;
  /** External Redis; when set, nothing embedded is started for it. */
  redisUrl?: string;
  /** Where embedded stores keep their files. */
  dataDir: string;
  /** Keep data across runs (`npm start`) or throw it away (tests, benchmarks). */
  persistent: boolean;
}

export interface Stores {
  mongodbUri: string;
  redisUrl: string;
  /** The embedded services this call started (empty when both are external). */
  started: EmbeddedService[];
  stop(): Promise<void>;
}

/**
 * The one way this project gets its stores: used by `npm start`, the test setup and the benchmarks.
 * An external URL wins; otherwise an embedded server is started under `dataDir`.
 */
export async function startStores(options: StoresOptions): Promise<Stores> {
  const started: EmbeddedService[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(started.splice(0).map((s) => s.stop()));
  };
  try {
    const [redisUrl, mongodbUri] = await Promise.all([
      options.redisUrl
        ? assertRedisKeepsJobs(options.redisUrl).then(() => options.redisUrl!)
        : startEmbeddedRedis({
            dir: path.join(options.dataDir, 'redis'),
            persistent: options.persistent,
          }).then((s) => (started.push(s), s.url)),
      options.mongodbUri
        ? Promise.resolve(options.mongodbUri)
        : startEmbeddedFerretDb({ dir: path.join(options.dataDir, 'ferretdb') }).then(
            (s) => (started.push(s), s.url),
          ),
    ]);
    return { mongodbUri, redisUrl, started, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Stores for one test run or one benchmark: the external ones when given, else embedded ones in a
 * fresh temporary directory that `stop()` removes.
 */
export async function startThrowawayStores(
  name: string,
  external: { mongodbUri?: string; redisUrl?: string } = {},
): Promise<Stores> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `cgw-${name}-`));
  try {
    const stores = await startStores({ ...external, dataDir, persistent: false });
    return {
      ...stores,
      async stop() {
        await stores.stop();
        fs.rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }
}
