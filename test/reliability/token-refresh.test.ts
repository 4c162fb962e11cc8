import { oneRefreshPerExpiry, refreshKilledMidGrant, TOKEN_REFRESH_FULL } from './scenarios/token-refresh';
import { fleetForFile } from './support/fleet';

/** Issue 23, scenario 1 at full size on 2 gateways and 3 workers (the small run: reliability-subset.test.ts). */
describe('token refresh across a fleet', () => {
  const fleet = fleetForFile({ prefix: 'cgwreltok' });

  it(`refreshes once per expiry under ${TOKEN_REFRESH_FULL.reads} concurrent reads through both gateways`, () =>
    oneRefreshPerExpiry(fleet(), TOKEN_REFRESH_FULL));

  it('recovers by itself from a kill -9 of the worker in the middle of a refresh (refresh token kept)', () =>
    refreshKilledMidGrant(fleet(), TOKEN_REFRESH_FULL, false));

  it('shows a rotated refresh token lost on the wire by a kill -9 as NEEDS_REAUTH, its write waiting', () =>
    refreshKilledMidGrant(fleet(), TOKEN_REFRESH_FULL, true));
});
