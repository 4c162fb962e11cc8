import { type ChildProcess, fork } from 'node:child_process';
import { loadEnv } from '../../src/config/env';
import { createLogger } from '../../src/logger';
import { createAppContext } from '../../src/runtime/context';
import { KeyRing } from '../../src/security/credentials-cipher';
import { storeCommandsIssued } from '../../src/store/command-count';
import { startGatewayServer } from '../../src/server/http-server';

/**
 * A gateway in a process of its own, over a read stack's stores and key ring: what the e2e overhead
 * measures. In the stack's own process, the sandboxes' work (their JSON, their garbage collection) and
 * the load generator's would run on the gateway's event loop and be counted as the gateway's overhead;
 * a vendor never shares a heap with the gateway in production.
 */

/** What the parent hands the child (argv is visible, so the key goes over IPC). */
interface GatewaySpec {
  env: Record<string, string>;
  keyBase64: string;
  mongodbUri: string;
  redisUrl: string;
  name: string;
}

export interface GatewayProcess {
  url: string;
  /** MongoDB commands the child's gateway has sent so far (src/store/command-count.ts). */
  storeCommands(): Promise<number>;
  /**
   * CPU time (user + system, ms) the child has used so far: unlike latency, it does not grow when other
   * processes take the machine's cores, so it shows the gateway's own work on a shared machine.
   */
  cpuMs(): Promise<number>;
  /** The user-mode part of {@link cpuMs}: the rest is the kernel's (socket I/O, for the most part). */
  userCpuMs(): Promise<number>;
  close(): Promise<void>;
}

export const GATEWAY_CHILD_FLAG = '--gateway-child';

/** What a bench's server child answers any later message with. */
export interface ChildCounters {
  storeCommands: number;
  cpuMs: number;
  userCpuMs: number;
}

export function childCounters(): ChildCounters {
  const cpu = process.cpuUsage();
  return {
    storeCommands: storeCommandsIssued(),
    cpuMs: (cpu.user + cpu.system) / 1000,
    userCpuMs: cpu.user / 1000,
  };
}

export async function startGatewayProcess(script: string, spec: GatewaySpec): Promise<GatewayProcess> {
  const child: ChildProcess = fork(script, [GATEWAY_CHILD_FLAG], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = <T>(message: unknown): Promise<T> =>
    new Promise((resolve, reject) => {
      child.once('message', (m) => resolve(m as T));
      child.once('exit', (code) => reject(new Error(`gateway child exited with ${String(code)}`)));
      child.send(message as object);
    });
  const { url } = await ask<{ url: string }>(spec);
  return {
    url,
    storeCommands: async () => (await ask<ChildCounters>('counters')).storeCommands,
    cpuMs: async () => (await ask<ChildCounters>('counters')).cpuMs,
    userCpuMs: async () => (await ask<ChildCounters>('counters')).userCpuMs,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Child side: starts the gateway the parent describes, reports its URL, answers store-command asks. */
export function serveGatewayChild(): void {
  process.once('SIGTERM', () => process.exit(0));
  process.once('message', (spec: GatewaySpec) => {
    void (async () => {
      const env = loadEnv(spec.env);
      const ctx = await createAppContext({
        env,
        logger: createLogger({ level: 'silent' }),
        keyRing: new KeyRing([{ kid: 'k', key: Buffer.from(spec.keyBase64, 'base64') }]),
        mongodbUri: spec.mongodbUri,
        redisUrl: spec.redisUrl,
        dbName: spec.name,
        redisPrefix: spec.name,
      });
      const gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port: env.PORT });
      process.on('message', () => process.send?.(childCounters()));
      process.send?.({ url: gateway.url });
    })().catch((err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  });
}
