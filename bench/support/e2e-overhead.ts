import { type ReadStack } from '../../test/support/read-stack';
import { busyMs } from './busy-time';
import { percentile } from './http-load';

/** Requests sent first and not measured: the connection's metadata and the mapping get read once. */
const WARMUP = 3;

/**
 * `reads.e2e.overhead_ms.p50` / `.p99`: `query` sent `samples` times, one at a time, each time the
 * gateway's latency minus the time the sandboxes spent on the calls of its critical path (the union of
 * their busy intervals from the request logs, so parallel batches count once).
 *
 * What counts as the vendor's and what as ours:
 * - A sandbox's span runs from its first hook on the request to the last byte of its answer written
 *   (fastify's `elapsedTime` at `onResponse`): it holds the vendor's own work, including serialising
 *   its JSON. The union, not the sum: while one batch of a level is served, the others of that level
 *   cost the client nothing more. In the nested query every level waits for the one before, so every
 *   call is on the critical path and the union is exactly the critical path's vendor time.
 * - Not subtracted, so counted as the gateway's: loopback transfer (microseconds here; a real vendor's
 *   network time would sit outside the gateway too, but we cannot tell it apart from the gateway's wait
 *   on its own event loop) and reading and parsing the vendor's answers, which is the gateway's CPU
 *   work and what a production gateway pays per call as well.
 * - Latency is taken by a client in the sandboxes' process: a sandbox's after-response work (its
 *   request log, its garbage) can delay the client seeing the gateway's answer. That errs against
 *   the gateway, never for it.
 * `reads.e2e.gateway_cpu_ms_per_op`: CPU time the gateway's process used per request (user + system),
 * and `reads.e2e.gateway_user_cpu_ms_per_op` its user-mode part (the system part is mostly the
 * kernel's loopback socket work, which a busy machine inflates).
 * Other work on a shared machine stretches latency, not this: it is the steadier figure of the
 * gateway's own cost, and the one to compare between runs.
 */
export async function e2eOverhead(
  on: {
    stack: ReadStack;
    exec: (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;
    /** MongoDB commands the gateway's process started so far (src/store/command-count.ts). */
    storeCommands: () => Promise<number>;
    /** CPU ms the gateway's process used so far. */
    cpuMs: () => Promise<number>;
    /** The user-mode part of `cpuMs`. */
    userCpuMs: () => Promise<number>;
  },
  query: string,
  variables: Record<string, unknown>,
  samples: number,
): Promise<void> {
  const { stack, exec } = on;
  const overheads: number[] = [];
  let commandsBefore = 0;
  let cpuBefore = 0;
  let userBefore = 0;
  for (let i = 0; i < WARMUP + samples; i++) {
    if (i === WARMUP) {
      commandsBefore = await on.storeCommands();
      cpuBefore = await on.cpuMs();
      userBefore = await on.userCpuMs();
    }
    stack.clearLogs();
    const started = performance.now();
    const body = await exec(query, variables);
    const ms = performance.now() - started;
    if (body.errors) throw new Error(`e2e: ${JSON.stringify(body.errors).slice(0, 400)}`);
    if (i < WARMUP) continue;
    overheads.push(ms - busyMs([...stack.callEntries('salesforce'), ...stack.callEntries('hubspot')]));
  }
  // Read first: the store-command ask below is answered by the same process and costs it CPU.
  const cpuPerOp = ((await on.cpuMs()) - cpuBefore) / samples;
  const userPerOp = ((await on.userCpuMs()) - userBefore) / samples;
  overheads.sort((a, b) => a - b);
  console.log(`BENCH reads.e2e.overhead_ms.p50 ${percentile(overheads, 50).toFixed(2)} ms`);
  console.log(`BENCH reads.e2e.overhead_ms.p99 ${percentile(overheads, 99).toFixed(2)} ms`);
  const commands = ((await on.storeCommands()) - commandsBefore) / samples;
  console.log(`BENCH reads.e2e.store_calls_per_op ${commands.toFixed(2)} commands`);
  console.log(`BENCH reads.e2e.gateway_cpu_ms_per_op ${cpuPerOp.toFixed(2)} ms`);
  console.log(`BENCH reads.e2e.gateway_user_cpu_ms_per_op ${userPerOp.toFixed(2)} ms`);
}
