import { CRMS } from '../../../src/connectors/registry';
import { readBudgetHeaders } from '../../../src/ratelimit/headers';

const [sfDaily] = CRMS.salesforce.budgets;
const [hsBurst, hsDaily] = CRMS.hubspot.budgets;

describe('readBudgetHeaders', () => {
  it('reads Sforce-Limit-Info, with or without the extra parts', () => {
    expect(readBudgetHeaders(sfDaily.headers!, { 'sforce-limit-info': 'api-usage=18/5000' })).toEqual({
      remaining: 4982,
      limit: 5000,
    });
    expect(
      readBudgetHeaders(sfDaily.headers!, {
        'sforce-limit-info': 'api-usage=10018/100000; api-bursts=1/750; per-app-api-usage=17/250(appName=x)',
      }),
    ).toEqual({ remaining: 89982, limit: 100000 });
    expect(readBudgetHeaders(sfDaily.headers!, { 'sforce-limit-info': 'api-usage=6000/5000' })).toEqual({
      remaining: 0,
      limit: 5000,
    });
  });

  it("reads HubSpot's burst and daily headers", () => {
    const headers = {
      'x-hubspot-ratelimit-max': '190',
      'x-hubspot-ratelimit-remaining': '97',
      'x-hubspot-ratelimit-daily': '625000',
      'x-hubspot-ratelimit-daily-remaining': '624000',
    };
    expect(readBudgetHeaders(hsBurst.headers!, headers)).toEqual({ remaining: 97, limit: 190 });
    expect(readBudgetHeaders(hsDaily.headers!, headers)).toEqual({ remaining: 624000, limit: 625000 });
  });

  it('treats missing or garbled headers as no information', () => {
    expect(readBudgetHeaders(hsBurst.headers!, {})).toBeNull();
    expect(readBudgetHeaders(hsBurst.headers!, { 'x-hubspot-ratelimit-remaining': 'lots' })).toBeNull();
    expect(readBudgetHeaders(hsBurst.headers!, { 'x-hubspot-ratelimit-remaining': '-1' })).toBeNull();
    expect(readBudgetHeaders(hsBurst.headers!, { 'x-hubspot-ratelimit-remaining': '5' })).toEqual({
      remaining: 5,
    });
    expect(readBudgetHeaders(sfDaily.headers!, { 'sforce-limit-info': 'api-usage=1/0' })).toBeNull();
    expect(readBudgetHeaders(sfDaily.headers!, { 'sforce-limit-info': 'api-bursts=1/750' })).toBeNull();
  });
});
