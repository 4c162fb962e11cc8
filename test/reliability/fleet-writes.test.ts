import { WRITES_UNDER_KILLS_FULL, writesUnderWorkerKills } from './scenarios/writes-under-kills';
import { fleetForFile } from './support/fleet';

/** Issue 23, scenario 2 at full size on 2 gateways and 3 workers (the small run: reliability-subset.test.ts). */
describe('writes through a fleet whose workers are killed', () => {
  const fleet = fleetForFile({ prefix: 'cgwrelwrite' });

  // The operations get WRITES_UNDER_KILLS_FULL.settleTimeoutMs to end, beyond the file's 10 minutes.
  it(
    `${WRITES_UNDER_KILLS_FULL.writes} writes through both gateways, workers kill -9'd every few seconds: none lost, none duplicated`,
    () => writesUnderWorkerKills(fleet(), WRITES_UNDER_KILLS_FULL),
    1_500_000,
  );
});
