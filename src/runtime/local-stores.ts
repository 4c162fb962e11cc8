import fs from 'node:fs';
import path from 'node:path';
import { type Env } from '../config/env';
import { startStores, type Stores } from './services';

/** Written by `npm start` while it runs, so `npm run admin` can reach the same embedded stores. */
export const RUNTIME_FILE = 'runtime.json';

export interface RuntimeInfo {
  pid: number;
  mongodbUri: string;
  redisUrl: string;
  gatewayUrl?: string;
  /** Every process `npm start` started (stores, gateway, worker): all gone after Ctrl-C. */
  pids?: number[];
}

export function writeRuntimeInfo(env: Env, info: RuntimeInfo): void {
  fs.writeFileSync(path.join(env.dataDir, RUNTIME_FILE), JSON.stringify(info, null, 2) + '\n', {
    mode: 0o600,
  });
}

export function clearRuntimeInfo(env: Env): void {
  fs.rmSync(path.join(env.dataDir, RUNTIME_FILE), { force: true });
}

/** The stores of a running `npm start`, if one is running. */
export function readRuntimeInfo(env: Env): RuntimeInfo | undefined {
  const file = path.join(env.dataDir, RUNTIME_FILE);
  if (!fs.existsSync(file)) return undefined;
  try {
    const info = JSON.parse(fs.readFileSync(file, 'utf8')) as RuntimeInfo;
    process.kill(info.pid, 0); // throws when that process is gone
    return info;
  } catch {
    return undefined;
  }
}

/**
 * Stores for a one-off command: external ones from the environment, else those of a running
 * `npm start`, else the embedded ones started just for this command (same data directory).
 */
export async function storesForCommand(env: Env): Promise<Stores> {
  if (env.MONGODB_URI && env.REDIS_URL) {
    return { mongodbUri: env.MONGODB_URI, redisUrl: env.REDIS_URL, started: [], stop: async () => undefined };
  }
  const running = readRuntimeInfo(env);
  if (running) {
    return {
      mongodbUri: env.MONGODB_URI ?? running.mongodbUri,
      redisUrl: env.REDIS_URL ?? running.redisUrl,
      started: [],
      stop: async () => undefined,
    };
  }
  return startStores({
    mongodbUri: env.MONGODB_URI,
    redisUrl: env.REDIS_URL,
    dataDir: env.dataDir,
    persistent: true,
  });
}
