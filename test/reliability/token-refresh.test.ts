import { oneRefreshPerExpiry, rotatedTokenSurvivesKill, TOKEN_REFRESH_FULL } from './scenarios/token-refresh';
import { fleetForFile } from './support/fleet';

/** Issue 23, scenario 1 at full size on 2 gateways and 3 workers (the small run: reliability-subset.test.ts). */
describe('token refresh across a fleet', () => {
  const fleet = fleetForFile({ prefix: 'cgwreltok' });

  it(`refreshes once per expiry under ${TOKEN_REFRESH_FULL.reads} concurrent reads through both gateways`, () =>
    oneRefreshPerExpiry(fleet(), TOKEN_REFRESH_FULL));

  it('keeps a rotated refresh token across a kill -9 of the worker in the middle of the refresh', () =>
    rotatedTokenSurvivesKill(fleet(), TOKEN_REFRESH_FULL));
});
