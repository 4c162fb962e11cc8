import { type Fleet, startFleet } from './support/fleet';
import { GATEWAY_DRAIN_FULL, gatewayDrain } from './scenarios/gateway-drain';

/**
 * Issue 23, scenario 4, full size: a gateway of a 2-gateway, 3-worker fleet SIGTERMed under HTTP and
 * WebSocket load drains (DRAIN_DELAY_MS 1 s, as a load balancer's health check needs). Prints its REL
 * lines, then fails on any broken invariant.
 */
describe('a gateway drained under load', () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({ prefix: 'cgwdrain', env: { DRAIN_DELAY_MS: '1000' } });
  }, 180_000);
  afterAll(async () => {
    await fleet?.close();
  });

  it('finishes requests in flight, closes WebSockets 1001, and syncEvents resumes on the other gateway', async () => {
    await gatewayDrain(fleet, GATEWAY_DRAIN_FULL);
  });
});
