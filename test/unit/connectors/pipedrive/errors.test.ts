import { EDGE_BLOCK_HOLD_MS } from '../../../../src/connectors/pipedrive/hooks';
import nock from '../../../support/nock';
import { DOMAIN, V1, V2, ok, pipedrive } from './pd-context';

/** Pipedrive's refusals as typed errors (docs/vendors/pipedrive.md "Connector: errors and refusals"). */

describe('errors', () => {
  it('a 429 waits x-ratelimit-reset, then succeeds; the wait holds the budget back for everyone', async () => {
    const { connector, slept, budget } = pipedrive();
    nock(DOMAIN).get(`${V1}/users/me`).reply(
      429,
      { success: false, error: 'Request over limit' },
      {
        'x-ratelimit-limit': '20',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': '2',
      },
    );
    nock(DOMAIN)
      .get(`${V1}/users/me`)
      .reply(200, ok({ id: 1, company_id: 12882925 }));
    await expect(connector.identify('static_token')).resolves.toEqual({ accountId: '12882925', appId: null });
    expect(slept).toEqual([2000]);
    expect(budget.exhaustedFor).toEqual([2000]);
  });

  it('a 429 with the daily token budget at 0 is an exhausted allocation, put on the probe schedule', async () => {
    const { connector, budget } = pipedrive();
    nock(DOMAIN).get(`${V2}/pipelines`).query(true).reply(
      429,
      { success: false, error: 'Request over limit' },
      {
        'x-daily-ratelimit-token-remaining': '0',
        'x-daily-ratelimit-token-limit': '30000',
      },
    );
    nock(DOMAIN).get(`${V2}/stages`).query(true).optionally().reply(200, ok([]));
    await expect(connector.dealStages()).rejects.toMatchObject({ code: 'RATE_LIMITED' });
    expect(budget.backedOff.length).toBeGreaterThan(0);
  });

  it('a 403 HTML page from the edge is a rate limit, a JSON 403 a refusal', async () => {
    const { connector } = pipedrive();
    nock(DOMAIN)
      .get(`${V1}/users/me`)
      .reply(403, '<!DOCTYPE html><html><title>Attention Required!</title></html>', {
        'content-type': 'text/html',
      });
    // An interactive read waits at most 10 s between attempts: the minute's hold fails it at once.
    await expect(connector.identify('static_token')).rejects.toMatchObject({
      code: 'RATE_LIMITED',
      retryAfterMs: EDGE_BLOCK_HOLD_MS,
    });
    const { connector: again } = pipedrive();
    nock(DOMAIN).get(`${V1}/users/me`).reply(403, { success: false, error: 'You do not have permission' });
    await expect(again.identify('static_token')).rejects.toMatchObject({ code: 'UPSTREAM', status: 403 });
  });

  it('a 401 refreshes once, then fails with the vendor message', async () => {
    const { connector, tokens } = pipedrive({ authKind: 'oauth2_code' });
    const body = {
      success: false,
      error: 'unauthorized access',
      errorCode: 401,
      error_info: 'Please check developers.pipedrive.com',
    };
    nock(DOMAIN).get(`${V1}/users/me`).twice().reply(401, body, { 'x-401-by-gw': 'true' });
    await expect(connector.identify('oauth2_code')).rejects.toMatchObject({ code: 'AUTH_EXPIRED' });
    expect(tokens.refreshes).toEqual(['tok-1']);
  });

  it('a 2xx without the success envelope is an upstream fault, not an empty answer', async () => {
    const { connector } = pipedrive();
    nock(DOMAIN).get(`${V1}/users/me`).reply(200, '<html>maintenance</html>');
    await expect(connector.identify('static_token')).rejects.toMatchObject({ code: 'UPSTREAM' });
  });
});
