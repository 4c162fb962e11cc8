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
  /** The embedded stores' current processes by name (`mongodb`, `redis`); updated on each restart. */
  storePids?: Record<string, number>;
  /** What `npm start` gives its own gateway and worker so they can use the demo connections. */
  demo?: DemoSettings;
}

/** The demo's settings, beyond the stores, that a gateway or worker needs to serve its connections. */
export interface DemoSettings {
  /** Origins of the sandboxes (vendor URL overrides of the demo connections). */
  vendorUrlAllowlist: string[];
  /** The sandboxes' demo OAuth apps, ours in the demo (token refresh, reconnect). */
  oauthApps: Env['CRM_OAUTH_APPS'];
  /** The sandboxes as the default vendor URLs of a new OAuth connection (absent in older files). */
  defaultVendorUrls?: Env['CRM_DEFAULT_VENDOR_URLS'];
}

/** Written whole or not at all (a rename): it is rewritten while others may be reading it. */
export function writeRuntimeInfo(env: Env, info: RuntimeInfo): void {
  const file = path.join(env.dataDir, RUNTIME_FILE);
  fs.writeFileSync(`${file}.tmp`, JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
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

/** Where the stores are: the URLs a process connects to. */
export interface StoreUrls {
  mongodbUri: string;
  /** A Redis URL or a Redis Cluster address (src/redis/address.ts). */
  redisUrl: string;
}

/**
 * The one rule for finding stores that are already running: MONGODB_URI / REDIS_URL (or
 * REDIS_CLUSTER_NODES) when set, else
 * (for whichever is unset) those of a running `npm start`. Undefined when neither names both.
 */
export function runningStores(env: Env): StoreUrls | undefined {
  if (env.MONGODB_URI && env.redisAddress) return { mongodbUri: env.MONGODB_URI, redisUrl: env.redisAddress };
  const running = readRuntimeInfo(env);
  if (!running) return undefined;
  return {
    mongodbUri: env.MONGODB_URI ?? running.mongodbUri,
    redisUrl: env.redisAddress ?? running.redisUrl,
  };
}

/**
 * Stores for a one-off command: {@link runningStores}, else the embedded ones started just for this
 * command (same data directory).
 */
export async function storesForCommand(env: Env): Promise<Stores> {
  const running = runningStores(env);
  if (running) return { ...running, started: [], stop: async () => undefined };
  return startStores({
    mongodbUri: env.MONGODB_URI,
    redisUrl: env.redisAddress,
    dataDir: env.dataDir,
    persistent: true,
  });
}

/**
 * Stores for a long-running gateway or worker started on its own: {@link runningStores}, else an
 * error naming both ways out. It never starts embedded stores itself: their lifetime belongs to
 * `npm start` (which stops them on Ctrl-C), and a gateway and a worker each starting its own would
 * not even see the same data.
 */
export function storesForProcess(env: Env, processName: string): StoreUrls {
  const running = runningStores(env);
  if (running) return running;
  const unset = env.MONGODB_URI ? ' (REDIS_URL is unset)' : env.redisAddress ? ' (MONGODB_URI is unset)' : '';
  throw new Error(
    `the ${processName} found no stores: set MONGODB_URI and REDIS_URL to your own MongoDB and Redis${unset}, ` +
      `or run \`npm start\` first (the ${processName} then uses its stores, found in ${env.dataDir})`,
  );
}

/**
 * The env a gateway or worker started beside a running `npm start` serves its demo connections with:
 * vendor URL overrides on for the sandboxes' origins, and the sandboxes' OAuth apps. Only outside
 * production and only with that demo's own MongoDB. The settings come from runtime.json in our own
 * data directory (written by `npm start`, mode 0600), never from the store: the override switch is the
 * SSRF guard, and nothing a store writer can change may turn it on.
 */
export function withRunningDemoSettings(env: Env, stores: StoreUrls): Env {
  if (env.isProduction) return env;
  const running = readRuntimeInfo(env);
  if (!running?.demo || running.mongodbUri !== stores.mongodbUri) return env;
  return {
    ...env,
    ALLOW_VENDOR_URL_OVERRIDES: true,
    VENDOR_URL_ALLOWLIST: [...new Set([...env.VENDOR_URL_ALLOWLIST, ...running.demo.vendorUrlAllowlist])],
    CRM_OAUTH_APPS: { ...running.demo.oauthApps, ...env.CRM_OAUTH_APPS },
    CRM_DEFAULT_VENDOR_URLS: { ...running.demo.defaultVendorUrls, ...env.CRM_DEFAULT_VENDOR_URLS },
  };
}
