import { type EmbeddedService } from '../../../src/runtime/services';

/**
 * SIGKILLs an embedded store (no shutdown, no final flush), waits until it has exited, keeps it down
 * for `downMs` — the outage the processes over it live through — and starts it again on the same
 * URL and data directory, where their clients' reconnects find it by themselves.
 */
export async function crashStore(service: EmbeddedService, downMs = 0): Promise<void> {
  const pid = service.pid;
  if (pid === undefined || !service.running) throw new Error(`${service.name} is not running`);
  process.kill(pid, 'SIGKILL');
  for (const deadline = Date.now() + 10_000; service.running && Date.now() < deadline;) {
    await new Promise((r) => setTimeout(r, 20));
  }
  if (downMs > 0) await new Promise((r) => setTimeout(r, downMs));
  await service.restart();
}
