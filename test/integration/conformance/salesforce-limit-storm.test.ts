import { type CrmError } from '../../../src/errors';
import { type SalesforceConformanceSandbox, startSalesforceConformance } from './salesforce.target';

/**
 * An org refusing every call with 403 REQUEST_LIMIT_EXCEEDED for a few seconds (the sandbox's
 * `rateLimitStormMs`), while a client keeps reading through the gateway's connector as GraphQL reads
 * do. Salesforce says nothing about when it serves again (docs/vendors/salesforce.md "Limits"), so
 * the gateway must neither hammer the org during the storm nor lock it out for minutes after: the
 * budget is held on a growing probe schedule, one cheap `GET …/limits` per hold.
 */

const LIMITS = 'GET /services/data/:version/limits';
const STORM_MS = 3000;

describe('salesforce REQUEST_LIMIT_EXCEEDED storm', () => {
  let sb: SalesforceConformanceSandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('costs a few probes during the storm and serves again at the first probe after it', async () => {
    sb = await startSalesforceConformance({ counts: { contact: 20, deal: 5 } });
    const s = sb;
    const ids = s.liveIds('contact').slice(0, 5);
    await s.connector().getRecords('contact', ids);
    await s.setFaults({ rateLimitStormMs: STORM_MS });
    s.clearLog();

    // A client that keeps asking, as fast as it is answered (a bounded loop: the old fixed lockout
    // would have refused for 5 minutes, far past this bound).
    let served: unknown[] | null = null;
    let refusals = 0;
    const started = Date.now();
    while (!served && Date.now() - started < 40_000) {
      try {
        served = await s.connector().getRecords('contact', ids);
      } catch (err) {
        expect((err as CrmError).code).toBe('RATE_LIMITED');
        refusals += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
    expect(served).toHaveLength(5);

    const entries = s.log();
    const refused = entries.filter((e) => e.status === 403);
    const key = (e: { method: string; route: string }) => `${e.method} ${e.route}`;
    // The client was refused (interactive reads also wait in the gate up to 2 s), while the org saw
    // only the first refusal and the probes: holds of 1, 2, 4 s cover a 3 s storm in a handful of calls.
    expect(refusals).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.length).toBeLessThanOrEqual(6);
    // After the first refusal, nothing but the cheap probe reached the org until one was served.
    const firstServed = entries.findIndex((e) => e.status === 200);
    expect(entries[firstServed] && key(entries[firstServed])).toBe(LIMITS);
    const between = entries.slice(entries.indexOf(refused[0]) + 1, firstServed);
    expect(between.map(key).every((k) => k === LIMITS)).toBe(true);
    // The storm's end was noticed by the first probe after it, not minutes later: no refused probe
    // came after the storm had ended.
    const stormEnd = refused[0].at + STORM_MS;
    expect(refused.filter((e) => e.at > stormEnd + 50)).toEqual([]);
    // And then the read itself went through.
    expect(entries.slice(firstServed + 1).some((e) => e.status === 200 && key(e) !== LIMITS)).toBe(true);
  }, 60_000);
});
