import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/**
 * One of the project's own binaries (`dist/bin/<name>.js`, as `npm run gateway` / `npm run worker` run
 * it) in a process of its own, which a test or a benchmark can `kill -9`, SIGTERM and start again on
 * the same environment. The binaries announce readiness over IPC (`process.send({ type: 'ready' })`),
 * which is what every start waits for. Needs `npm run -s build` first.
 */

export interface NodeProcess {
  /** The current process's id (each restart has a new one). */
  readonly pid: number | undefined;
  /** Starts count (1 after start, +1 per restart). */
  readonly starts: number;
  /** Whether the current process is still running. */
  readonly running: boolean;
  /** The current process's ready message (a gateway's carries its URL). */
  readonly ready: ReadyMessage;
  /** SIGKILL: no shutdown hook runs (a worker's jobs stay active in Redis until their lock expires). */
  kill9(): Promise<void>;
  /** A new process on the same environment; resolves once it reported ready. */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit (the process drains; SIGKILL after 15 s); safe when already dead. */
  stop(): Promise<void>;
  /** The last lines the processes printed (every start's, interleaved): what a failure shows. */
  output(): string;
}

export interface ReadyMessage {
  type: 'ready';
  [key: string]: unknown;
}

export interface NodeProcessOptions {
  /** `gateway` or `worker`: the binary under dist/bin/ and the name errors give. */
  bin: 'gateway' | 'worker';
  /** The whole environment (nothing inherited but PATH: a test names every setting it relies on). */
  env: Record<string, string>;
  /** Node flags before the script (e.g. `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Every line the process prints is appended here too (a profiling run's full log). */
  logFile?: string;
}

/** The repository's root: the nearest directory above this file with a package.json (works from dist/ too). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'src'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no repository root above ${__dirname}`);
  }
}

export function binScript(bin: NodeProcessOptions['bin']): string {
  const script = path.join(repoRoot(), `dist/bin/${bin}.js`);
  if (!fs.existsSync(script)) throw new Error(`${script} is missing: run \`npm run -s build\` first`);
  return script;
}

/**
 * A gateway's or worker's environment over given stores: `base` (a stack's gateway env: vendor URL
 * overrides, the sandboxes' OAuth apps), the database and Redis prefix `name`, and the credentials key
 * ring the connections were encrypted with. Every process of one deployment gets the same.
 */
export function processEnv(
  base: Record<string, string>,
  stores: { mongodbUri: string; redisUrl: string; name: string; credentialsKeys: string },
): Record<string, string> {
  const mongodbUri = new URL(stores.mongodbUri);
  mongodbUri.pathname = `/${stores.name}`;
  return {
    ...base,
    MONGODB_URI: mongodbUri.toString(),
    REDIS_URL: stores.redisUrl,
    REDIS_PREFIX: stores.name,
    CREDENTIALS_KEYS: stores.credentialsKeys,
    // Warnings and errors only: what `output()` shows when a test fails (recoveries, failed jobs).
    LOG_LEVEL: 'warn',
  };
}

const alive = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

function exited(child: ChildProcess): Promise<void> {
  return alive(child) ? new Promise((resolve) => child.once('exit', () => resolve())) : Promise.resolve();
}

const READY_TIMEOUT_MS = 60_000;

/** Spawns the binary with exactly `options.env` and waits for its ready message. */
function launch(
  options: NodeProcessOptions,
  output: string[],
): Promise<{ child: ChildProcess; ready: ReadyMessage }> {
  const child = spawn(
    process.execPath,
    [...(options.nodeArgs ?? []), '--enable-source-maps', binScript(options.bin)],
    { env: { PATH: process.env.PATH ?? '', ...options.env }, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] },
  );
  const keep = (chunk: Buffer) => {
    if (options.logFile) fs.appendFileSync(options.logFile, chunk);
    output.push(chunk.toString());
    if (output.length > 200) output.splice(0, output.length - 200);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const tail = () => output.join('').slice(-2000);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the ${options.bin} did not report ready within 60 s:\n${tail()}`));
    }, READY_TIMEOUT_MS);
    child.on('message', (m: Partial<ReadyMessage> | null) => {
      if (m?.type !== 'ready') return;
      clearTimeout(timer);
      resolve({ child, ready: m as ReadyMessage });
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the ${options.bin} exited (${code ?? signal}) before it was ready:\n${tail()}`));
    });
  });
}

export async function startNodeProcess(options: NodeProcessOptions): Promise<NodeProcess> {
  const output: string[] = [];
  let current = await launch(options, output);
  let starts = 1;
  return {
    get pid() {
      return current.child.pid;
    },
    get starts() {
      return starts;
    },
    get running() {
      return alive(current.child);
    },
    get ready() {
      return current.ready;
    },
    output() {
      return output.join('');
    },
    async kill9() {
      current.child.kill('SIGKILL');
      await exited(current.child);
    },
    async restart() {
      if (alive(current.child)) {
        throw new Error(`restart() of a ${options.bin} that is still running: kill9() or stop() it first`);
      }
      current = await launch(options, output);
      starts += 1;
    },
    async stop() {
      const { child } = current;
      if (!alive(child)) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
}
