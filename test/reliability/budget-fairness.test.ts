import { type Fleet, startFleet } from './support/fleet';
import { BUDGET_FAIRNESS_FULL, budgetFairness } from './scenarios/budget-fairness';

/**
 * Issue 23, scenario 6, full size: 20 connections of one HubSpot portal under writes and reads
 * through 2 gateways and 3 workers. Prints its REL lines, then fails on any broken invariant.
 */
describe('budget fairness on one HubSpot portal', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ prefix: 'cgwfair' });
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
  });

  it("never exceeds the portal's ten-second limit, and reads keep their reserve under saturating writes", async () => {
    await budgetFairness(fleet, BUDGET_FAIRNESS_FULL);
  });
});
