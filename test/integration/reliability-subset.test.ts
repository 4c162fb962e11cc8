import { oneRefreshPerExpiry, TOKEN_REFRESH_SMALL } from '../reliability/scenarios/token-refresh';
import { WEBHOOK_STORM_SMALL, webhookStorm } from '../reliability/scenarios/webhook-storm';
import {
  WRITES_UNDER_KILLS_SMALL,
  writesUnderWorkerKills,
} from '../reliability/scenarios/writes-under-kills';
import { fleetForFile } from '../reliability/support/fleet';

/**
 * `npm test`'s slice of the reliability suite (issue 23): scenarios 1, 2 and 5 at small size on one
 * fleet of 2 gateway and 3 worker processes (dist/bin/*.js: `npm test` builds first). The full sizes,
 * and the kill -9 in the middle of a token refresh, run in `npm run test:reliability`.
 */
jest.setTimeout(180_000);

const fleet = fleetForFile({ prefix: 'cgwrelsub' });

it('refreshes a token once per expiry under concurrent reads through both gateways', () =>
  oneRefreshPerExpiry(fleet(), TOKEN_REFRESH_SMALL));

it('loses and duplicates no write while workers are kill -9’d and restarted', () =>
  writesUnderWorkerKills(fleet(), WRITES_UNDER_KILLS_SMALL));

it('records each webhook event once across both gateways and refuses every badly signed delivery', () =>
  webhookStorm(fleet(), WEBHOOK_STORM_SMALL));
