import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { exited, stopChild } from './services/child';
import { readableLogLine } from './console-lines';

/** What an entry point sends over IPC once it serves (see src/bin/gateway.ts and worker.ts). */
export interface ReadyMessage {
  type: 'ready';
  url?: string;
  workerId?: string;
}

export interface ManagedProcess {
  name: string;
  child: ChildProcess;
  /** Resolves with the child's ready message; rejects if it exits first or takes over `timeoutMs`. */
  ready: Promise<ReadyMessage>;
  stop(): Promise<void>;
}

/**
 * Starts one of our compiled entry points (dist/bin/<entry>.js) as a child, prefixing its output so
 * the all-in-one console stays readable. `onExit` is told when it exits on its own.
 */
export function startEntryPoint(
  entry: string,
  env: NodeJS.ProcessEnv,
  onExit: (code: number | null, signal: NodeJS.Signals | null) => void,
): ManagedProcess {
  const script = path.resolve(__dirname, '../bin', `${entry}.js`);
  const child = spawn(process.execPath, ['--enable-source-maps', script], {
    env,
    // The IPC channel is how the child notices that we died (its 'disconnect' event); its own process
    // group means Ctrl-C reaches only us, and we stop children in order.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    detached: true,
  });
  // Readable lines for a person at a terminal; JSON as it is for a file, a pipe or a log collector.
  const render = process.stdout.isTTY ? readableLogLine : (line: string) => line;
  for (const stream of [child.stdout!, child.stderr!]) {
    readline
      .createInterface({ input: stream })
      .on('line', (line) => process.stdout.write(`[${entry}] ${render(line)}\n`));
  }
  let stopping = false;
  child.once('exit', (code, signal) => {
    if (!stopping) onExit(code, signal);
  });
  const ready = new Promise<ReadyMessage>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start within 60 s`)), 60000);
    child.on('message', (msg: ReadyMessage) => {
      if (msg?.type !== 'ready') return;
      clearTimeout(timer);
      resolve(msg);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited with ${code} before it was ready`));
    });
  });
  ready.catch(() => undefined); // observed by the caller; never an unhandled rejection
  return {
    name: entry,
    child,
    ready,
    async stop() {
      stopping = true;
      await stopChild(child, 15000);
      await exited(child);
    },
  };
}
