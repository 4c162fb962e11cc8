import { identifyAccount } from '../../../src/connectors/identify';
import { staticTokenCredentials } from '../../../src/connectors/tokens/credentials';
import { type CrmError } from '../../../src/errors';
import { rejection } from '../../support/connector-doubles';
import {
  type PipedriveConformanceSandbox,
  pipedriveTarget,
  startPipedriveConformance,
} from './pipedrive.target';
import { describeConformance } from './suite';

/**
 * Pipedrive conformance: the shared suite against the Pipedrive sandbox, then what only Pipedrive has —
 * an API token beside OAuth, a daily token budget that a 429 says is spent, and `emails`/`phones`
 * arrays a PATCH replaces whole.
 */

describeConformance(pipedriveTarget);

const POLICY = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };

describe('pipedrive only', () => {
  let sb: PipedriveConformanceSandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('connects with an API token: the company is learned from users/me, on the company host', async () => {
    sb = await startPipedriveConformance({ counts: { contact: 5, deal: 2 } });
    const companyHost = `${sb.live.baseUrl}/c/${sb.org.state.companyDomain}`;
    const identity = await identifyAccount({
      crm: 'pipedrive',
      credentials: staticTokenCredentials(sb.org.state.apiToken),
      vendorUrls: { api: companyHost },
      policy: POLICY,
    });
    expect(identity).toEqual({ accountId: String(sb.org.state.companyId), appId: null });
    // A wrong token is the person's to fix, not a vendor outage.
    await expect(
      identifyAccount({
        crm: 'pipedrive',
        credentials: staticTokenCredentials('0'.repeat(40)),
        vendorUrls: { api: companyHost },
        policy: POLICY,
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
  });

  it('keeps the non-primary emails when the primary one is written', async () => {
    sb = await startPipedriveConformance({ counts: { contact: 5, deal: 2 } });
    const [id] = sb.createAt(
      'contact',
      [{ first_name: 'Ada', last_name: 'Lovelace', email: 'ada@work.test' }],
      sb.now(),
    );
    const person = sb.org.state.store.get('person', Number(id))!;
    person.values.emails = [
      { value: 'ada@work.test', primary: true, label: 'work' },
      { value: 'ada@home.test', primary: false, label: 'home' },
    ];
    const [res] = await sb
      .connector('background')
      .upsertRecords('contact', [{ ref: 'e', remoteId: id, fields: { email: 'ada@new.test' } }]);
    expect(res).toMatchObject({ ok: true, remoteId: id });
    expect(sb.org.state.store.get('person', Number(id))!.values.emails).toEqual([
      { value: 'ada@new.test', primary: true, label: 'work' },
      { value: 'ada@home.test', primary: false, label: 'home' },
    ]);
  });

  it('learns the daily token allocation from the headers and stops before Pipedrive refuses', async () => {
    sb = await startPipedriveConformance({
      counts: { contact: 5, deal: 2 },
      companySettings: { dailyTokenBudget: 60 },
    });
    const ids = sb.liveIds('contact').slice(0, 2);
    let served = 0;
    let refusal: CrmError | null = null;
    for (let i = 0; i < 10 && !refusal; i += 1) {
      try {
        // Each read by ids is a v2 list: 10 of the company's 60 tokens.
        await sb.connector('background').getRecords('contact', ids);
        served += 1;
      } catch (err) {
        refusal = err as CrmError;
      }
    }
    expect(refusal).toMatchObject({ code: 'RATE_LIMITED', details: { budget: 'daily' } });
    // Background work leaves the interactive share (20 %) alone, and Pipedrive never had to say no.
    expect(served).toBeGreaterThanOrEqual(3);
    expect(served).toBeLessThanOrEqual(4);
    expect(sb.log().filter((e) => e.status >= 400)).toEqual([]);
  });

  it('takes a 429 with the daily budget spent elsewhere as an exhausted allocation, and holds back', async () => {
    sb = await startPipedriveConformance({
      counts: { contact: 5, deal: 2 },
      companySettings: { dailyTokenBudget: 30 },
    });
    // The field metadata this process caches per connection, read while the budget lasts.
    await sb.connector('background').describeFields('contact');
    // Another integration of the company spends its daily budget with an API token.
    const url = `${sb.live.baseUrl}/c/${sb.org.state.companyDomain}/api/v2/persons?limit=1`;
    const headers = { 'x-api-token': sb.org.state.apiToken };
    let status = 200;
    for (let i = 0; i < 10 && status !== 429; i += 1) status = (await fetch(url, { headers })).status;
    expect(status).toBe(429);
    sb.clearLog();
    const ids = sb.liveIds('contact').slice(0, 2);
    const err = await rejection(sb.connector('background').getRecords('contact', ids));
    expect(err).toMatchObject({ code: 'RATE_LIMITED' });
    expect(err.retryAfterMs).toBeGreaterThan(0);
    expect(sb.log().map((e) => e.status)).toEqual([429]);
    // Held by the budget gate until its probe: the next call does not reach Pipedrive.
    sb.clearLog();
    await expect(sb.connector('background').getRecords('contact', ids)).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
    expect(sb.log()).toEqual([]);
  });
});
