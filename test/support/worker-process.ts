import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { redisEnvOf } from '../../src/redis/address';

/**
 * A real worker (the compiled `dist/bin/worker.js`, as `npm run worker` runs it) in a process of its
 * own, which a test or a benchmark can `kill -9` and start again on the same environment: what the
 * write path's reliability tests crash mid-batch, and what `bench:writes` runs its flushes on. Needs
 * `npm run -s build` first.
 */

export interface WorkerProcess {
  /** The current process's id (each restart has a new one). */
  readonly pid: number | undefined;
  /** Starts count (1 after start, +1 per restart). */
  readonly starts: number;
  /** SIGKILL: no shutdown hook runs, jobs stay active in Redis until their lock expires. */
  kill9(): Promise<void>;
  /** A new process on the same environment; resolves once it reported ready. */
  restart(): Promise<void>;
  /** SIGTERM and wait (the worker drains); safe to call when already dead. */
  stop(): Promise<void>;
  /** The last lines the worker processes printed (every start's, interleaved): what a failure shows. */
  output(): string;
}

/** The repository's root: the nearest directory above this file with a package.json (works from dist/ too). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

export function workerScript(): string {
  const script = path.join(repoRoot(), 'dist/bin/worker.js');
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`npm run -s build\` first`);
  return script;
}

/**
 * A worker's environment over given stores: `base` (a stack's gateway env: vendor URL overrides, the
 * sandboxes' OAuth apps), the database and Redis prefix `name`, and the credentials key ring its
 * gateway encrypted the connections with.
 */
export function workerEnv(
  base: Record<string, string>,
  stores: { mongodbUri: string; redisUrl: string; name: string; credentialsKeys: string },
): Record<string, string> {
  const mongodbUri = new URL(stores.mongodbUri);
  mongodbUri.pathname = `/${stores.name}`;
  return {
    ...base,
    MONGODB_URI: mongodbUri.toString(),
    ...redisEnvOf(stores.redisUrl),
    REDIS_PREFIX: stores.name,
    CREDENTIALS_KEYS: stores.credentialsKeys,
    // Warnings and errors only: what `output()` shows when a test fails (recoveries, failed jobs).
    LOG_LEVEL: 'warn',
    ...profiling(),
  };
}

/**
 * What a profiling run (a bench) adds to a worker: `WORKER_LOG_LEVEL` (e.g. `debug`, for the flushes'
 * per-stage timings), `WORKER_LOG_FILE` (every line the worker prints, appended) and `WORKER_NODE_ARGS`
 * (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, which NODE_OPTIONS refuses). Nothing else is inherited.
 */
function profiling(): Record<string, string> {
  return process.env.WORKER_LOG_LEVEL ? { LOG_LEVEL: process.env.WORKER_LOG_LEVEL } : {};
}

function exited(child: ChildProcess): Promise<void> {
  return child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Spawns the worker with exactly `env` (nothing inherited: a test names every setting it relies on). */
function launch(env: Record<string, string>, output: string[]): Promise<ChildProcess> {
  const nodeArgs = process.env.WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? [];
  const child = spawn(process.execPath, [...nodeArgs, '--enable-source-maps', workerScript()], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const logFile = process.env.WORKER_LOG_FILE;
  const keep = (chunk: Buffer) => {
    if (logFile) fs.appendFileSync(logFile, chunk);
    output.push(chunk.toString());
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the worker did not report ready within 60 s:\n${output.join('').slice(-2000)}`));
    }, 60_000);
    child.on('message', (m: { type?: string }) => {
      if (m?.type !== 'ready') return;
      clearTimeout(timer);
      resolve(child);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(
        new Error(
          `the worker exited (${code ?? signal}) before it was ready:\n${output.join('').slice(-2000)}`,
        ),
      );
    });
  });
}

export async function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  const output: string[] = [];
  let child = await launch(env, output);
  let starts = 1;
  return {
    get pid() {
      return child.pid;
    },
    get starts() {
      return starts;
    },
    output() {
      return output.join('');
    },
    async kill9() {
      child.kill('SIGKILL');
      await exited(child);
    },
    async restart() {
      if (child.exitCode === null && child.signalCode === null) {
        throw new Error('restart() of a worker that is still running: kill9() or stop() it first');
      }
      child = await launch(env, output);
      starts += 1;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
