import { type Fleet, startFleet } from './support/fleet';
import { STORE_RESTARTS_FULL, storeRestarts } from './scenarios/store-restarts';

/**
 * Issue 23, scenario 3, full size: Redis and the MongoDB-wire store (the fleet's own, so killing it
 * leaves every other test file's store alone) restarted under mixed load through 2 gateways and 3
 * workers. Prints its REL lines, then fails on any broken invariant.
 */
describe('store restarts under load', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ prefix: 'cgwstores', privateMongo: true });
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
  });

  it('answers UNAVAILABLE or right while a store is down, recovers by itself, loses no accepted write', async () => {
    await storeRestarts(fleet, STORE_RESTARTS_FULL);
  });
});
