import { WEBHOOK_STORM_FULL, webhookStorm } from './scenarios/webhook-storm';
import { fleetForFile } from './support/fleet';

/** Issue 23, scenario 5 at full size on 2 gateways and 3 workers (the small run: reliability-subset.test.ts). */
describe('a webhook storm across a fleet', () => {
  const fleet = fleetForFile({ prefix: 'cgwrelhook' });

  it(`records each of ${WEBHOOK_STORM_FULL.events} events once (20 % redelivered, 5 % badly signed) and refuses every bad delivery`, () =>
    webhookStorm(fleet(), WEBHOOK_STORM_FULL));
});
