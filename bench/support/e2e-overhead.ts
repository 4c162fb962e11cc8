import { type ReadStack } from '../../test/support/read-stack';
import { busyMs } from './busy-time';
import { percentile } from './http-load';

/** Requests sent first and not measured: the connection's metadata and the mapping get read once. */
const WARMUP = 3;

/**
 * `reads.e2e.overhead_ms.p50` / `.p99`: `query` sent `samples` times, one at a time, each time the
 * gateway's latency minus the time the sandboxes spent on the calls of its critical path (the union of
 * their busy intervals from the request logs, so parallel batches count once).
 */
export async function e2eOverhead(
  on: {
    stack: ReadStack;
    exec: (query: string, variables: Record<string, unknown>) => Promise<Record<string, unknown>>;
    /** MongoDB commands the gateway's process started so far (src/store/command-count.ts). */
    storeCommands: () => Promise<number>;
  },
  query: string,
  variables: Record<string, unknown>,
  samples: number,
): Promise<void> {
  const { stack, exec } = on;
  const overheads: number[] = [];
  let commandsBefore = 0;
  for (let i = 0; i < WARMUP + samples; i++) {
    if (i === WARMUP) commandsBefore = await on.storeCommands();
    stack.clearLogs();
    const started = performance.now();
    const body = await exec(query, variables);
    const ms = performance.now() - started;
    if (body.errors) throw new Error(`e2e: ${JSON.stringify(body.errors).slice(0, 400)}`);
    if (i < WARMUP) continue;
    overheads.push(ms - busyMs([...stack.callEntries('salesforce'), ...stack.callEntries('hubspot')]));
  }
  overheads.sort((a, b) => a - b);
  console.log(`BENCH reads.e2e.overhead_ms.p50 ${percentile(overheads, 50).toFixed(2)} ms`);
  console.log(`BENCH reads.e2e.overhead_ms.p99 ${percentile(overheads, 99).toFixed(2)} ms`);
  const commands = ((await on.storeCommands()) - commandsBefore) / samples;
  console.log(`BENCH reads.e2e.store_calls_per_op ${commands.toFixed(2)} commands`);
}
