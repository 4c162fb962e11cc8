import { fleetForFile } from './support/fleet';
import { SOAK_POLL_EVERY_MS, SOAK_STEADY, soak } from './scenarios/soak';

/**
 * Issue 23, scenario 7: REL_SOAK_MINUTES (default 10) of steady mixed load — reads, writes, webhook
 * deliveries, polling every 5 s — on 2 gateways and 3 workers; fails when a process's heap grows past
 * its bound (last third ≤ first third × 1.25 + 32 MiB, after 20 % warm-up), a queue does not drain to
 * ≤ 10 jobs within 60 s of the load stopping, or an answer is wrong. See scenarios/soak.ts.
 */
const minutes = Number(process.env.REL_SOAK_MINUTES ?? 10);

describe('a soak of mixed load on a fleet', () => {
  const fleet = fleetForFile({
    prefix: 'cgwsoak',
    env: { SYNC_POLL_EVERY_MS: String(SOAK_POLL_EVERY_MS), WORKER_METRICS_PORT: '0' },
  });

  it(
    `keeps memory flat and queues bounded over ${minutes} minutes`,
    () => soak(fleet(), { minutes, ...SOAK_STEADY }),
    minutes * 60_000 + 300_000,
  );
});
