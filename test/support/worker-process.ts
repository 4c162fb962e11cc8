import { type NodeProcess, processEnv, startNodeProcess } from './node-process';

/**
 * A real worker (the compiled `dist/bin/worker.js`, as `npm run worker` runs it) in a process of its
 * own, which a test or a benchmark can `kill -9` and start again on the same environment: what the
 * write path's reliability tests crash mid-batch, and what `bench:writes` runs its flushes on. Needs
 * `npm run -s build` first.
 */
export type WorkerProcess = NodeProcess;

/**
 * A worker's environment over given stores ({@link processEnv}), plus what a profiling run (a bench)
 * asks for: `WORKER_LOG_LEVEL` (e.g. `debug`, for the flushes' per-stage timings).
 */
export function workerEnv(
  base: Record<string, string>,
  stores: Parameters<typeof processEnv>[1],
): Record<string, string> {
  const env = processEnv(base, stores);
  return process.env.WORKER_LOG_LEVEL ? { ...env, LOG_LEVEL: process.env.WORKER_LOG_LEVEL } : env;
}

/**
 * Starts a worker with exactly `env`. A profiling run may add `WORKER_LOG_FILE` (every line the worker
 * prints, appended) and `WORKER_NODE_ARGS` (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
export function startWorkerProcess(env: Record<string, string>): Promise<WorkerProcess> {
  return startNodeProcess({
    bin: 'worker',
    env,
    nodeArgs: process.env.WORKER_NODE_ARGS?.split(' ').filter(Boolean),
    logFile: process.env.WORKER_LOG_FILE,
  });
}
