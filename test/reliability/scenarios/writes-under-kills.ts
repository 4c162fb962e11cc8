import { type Fleet } from '../support/fleet';
import { rel } from '../support/rel';
import { accept, contactItems, expectNoneLostNoneDuplicated, settled, sleep } from '../support/write-checks';

/**
 * Issue 23, scenario 2: writes through every gateway while worker processes are `kill -9`ed and
 * restarted every few seconds — every accepted operation ends final, none lost, none duplicated in
 * the sandbox (Salesforce, counted by each create's unique email).
 */
export interface WritesUnderKillsSize {
  /** Creates in all, split evenly over the gateways. */
  writes: number;
  /** Items per upsertContacts request. */
  list: number;
  /** Pause between two kills (each kill is followed by a restart, which takes its own seconds). */
  killEveryMs: number;
  /** Kills at least, even when the writes were all accepted sooner (the first ones go round the workers). */
  minKills: number;
  /** How long the operations may take to end once all are accepted; the figures print either way. */
  settleTimeoutMs: number;
}

export const WRITES_UNDER_KILLS_FULL: WritesUnderKillsSize = {
  writes: 10_000,
  list: 50,
  killEveryMs: 3000,
  minKills: 6,
  settleTimeoutMs: 900_000,
};
export const WRITES_UNDER_KILLS_SMALL: WritesUnderKillsSize = {
  writes: 500,
  list: 25,
  killEveryMs: 1000,
  minKills: 2,
  settleTimeoutMs: 120_000,
};

export async function writesUnderWorkerKills(fleet: Fleet, size: WritesUnderKillsSize): Promise<void> {
  const c = fleet.tenant.connections.salesforce;
  await fleet.stack.unthrottle('salesforce', c);
  const tag = `f${Date.now().toString(36)}`;
  const gateways = fleet.gateways.length;
  const perGateway = Math.ceil(size.writes / gateways / size.list) * size.list;
  const accepted: string[] = [];
  const started = Date.now();
  let producing = gateways;
  // One producer per gateway, each with its own share of the emails: a load balancer's spread.
  const producers = fleet.gateways.map(async (_, g) => {
    try {
      for (let n = g * perGateway; n < (g + 1) * perGateway; n += size.list) {
        const count = Math.min(size.list, size.writes - n);
        if (count <= 0) break;
        accepted.push(...(await accept(fleet.client(g), c, contactItems(tag, n, count))));
      }
    } finally {
      producing -= 1;
    }
  });
  // Kills land while the producers run (and at least minKills), the first ones going round the
  // workers, the rest on a worker drawn at random.
  let kills = 0;
  while (producing > 0 || kills < size.minKills) {
    await sleep(size.killEveryMs);
    await fleet.crashWorker(
      kills < fleet.workers.length ? kills : Math.floor(Math.random() * fleet.workers.length),
    );
    kills += 1;
  }
  await Promise.all(producers);
  rel('writes.fleet.worker_kills', kills, 'kills');
  rel('writes.fleet.accept_s', Number(((Date.now() - started) / 1000).toFixed(1)), 's');
  const settling = Date.now();
  // Read back through the last gateway: what one accepted, every other one reports.
  const ops = await settled(fleet.client(gateways - 1), c, size.settleTimeoutMs);
  rel('writes.fleet.ops_per_s', Math.round(size.writes / ((Date.now() - started) / 1000)), 'ops/s');
  expect(accepted).toHaveLength(size.writes);
  expectNoneLostNoneDuplicated({
    name: 'writes.fleet',
    tag,
    accepted,
    ops,
    settleMs: Date.now() - settling,
    recordsByEmail: () => fleet.stack.recordsBy('salesforce', 'contact', 'Email'),
    output: () => fleet.output(),
  });
}
