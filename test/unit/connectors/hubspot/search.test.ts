import nock from '../../../support/nock';
import { API, hubspot, mockProperties, resetNock, SEARCH_NOW, SEARCH_SINCE, searchHit } from './hs-context';
import { keysetRequest } from '../../../../src/connectors/hubspot/search';

/** The CRM search endpoint (docs/vendors/hubspot.md "Search"): its request shape and its own budget. */

afterEach(() => resetNock());

describe('search budget', () => {
  // The pacing itself is the Redis budget's (test/integration/ratelimit/hubspot-search-budget.test.ts);
  // here: searches name the `search` budget, every other call the ordinary ones.
  it('draws searches on the search budget alone and other calls on the ordinary budgets', async () => {
    const { connector, budget } = hubspot({ now: () => SEARCH_NOW, settings: { searchOverlapMs: 0 } });
    mockProperties('contacts', ['email', 'lastmodifieddate', 'hs_object_id']);
    nock(API)
      .post('/crm/v3/objects/contacts/search')
      .reply(200, { total: 1, results: [searchHit(1, '2026-01-10T11:30:00.000Z')] });
    await connector.listChanges('contact', { since: SEARCH_SINCE, pageSize: 2 });
    // The property list (ordinary budgets), then the search (its own).
    expect(budget.named).toEqual([undefined, ['search']]);
  });
});

describe('keysetRequest', () => {
  it('refuses more filter groups or filters than search takes (5 groups, 6 per group, 18 in all)', () => {
    const f = { propertyName: 'email', operator: 'EQ' as const, value: 'x' };
    const base = { properties: ['email'], pageSize: 10 };
    expect(() => keysetRequest({ ...base, groups: Array.from({ length: 6 }, () => [f]) })).toThrow(
      RangeError,
    );
    expect(() =>
      keysetRequest({ ...base, groups: [Array.from({ length: 6 }, () => f)], lastId: '1' }),
    ).toThrow(RangeError);
    expect(() =>
      keysetRequest({ ...base, groups: Array.from({ length: 4 }, () => [f, f, f, f, f]) }),
    ).toThrow(RangeError);
    expect(keysetRequest({ ...base, groups: [] }).filterGroups).toEqual([]);
    expect(keysetRequest({ ...base, groups: [[]], lastId: '5' }).filterGroups).toEqual([
      { filters: [{ propertyName: 'hs_object_id', operator: 'GT', value: '5' }] },
    ]);
  });
});
