import { type ChildProcess } from 'node:child_process';

/** Resolves when the process has exited (immediately if it already has). */
export function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/**
 * Stops a child: SIGTERM, then SIGKILL after `graceMs`. Both stores flush and close on SIGTERM;
 * the kill is only for a store that hangs, so shutdown never waits forever.
 */
export async function stopChild(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

/** Keeps the last `max` characters a child wrote, for error messages when it fails to start. */
export function tail(max = 4000): { push(chunk: Buffer | string): void; text(): string } {
  let buf = '';
  return {
    push(chunk) {
      buf = (buf + chunk.toString()).slice(-max);
    },
    text: () => buf.trim(),
  };
}

/**
 * Polls `probe` until it answers true. A probe that throws counts as "not yet"; `fatal` returns a
 * reason to give up at once (e.g. the process being waited for has exited).
 */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  {
    timeoutMs = 30000,
    intervalMs = 50,
    fatal,
  }: { timeoutMs?: number; intervalMs?: number; fatal?: () => string | undefined } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reason = fatal?.();
    if (reason) throw new Error(`${what} failed: ${reason}`);
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`${what} was not ready after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
