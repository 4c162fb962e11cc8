import { HsError } from '../../../../src/sandbox/hubspot/errors';
import { defaultProperties } from '../../../../src/sandbox/hubspot/schema';
import {
  compareValues,
  containsToken,
  parseSearchRequest,
  runSearch,
  type SearchContext,
  type SearchDoc,
  type SearchRequest,
} from '../../../../src/sandbox/hubspot/search-engine';

const defs = new Map(defaultProperties([{ id: '1', name: 'Owner' }]).contacts.map((d) => [d.name, d]));

function doc(id: number, props: Record<string, string>, createdAt = id * 1000): SearchDoc {
  return { id: String(id), createdAt, properties: { hs_object_id: String(id), ...props } };
}

const docs: SearchDoc[] = [
  doc(1, {
    email: 'ada@hubspot.com',
    firstname: 'Ada',
    nps_score: '9',
    lifecyclestage: 'lead',
    lastmodifieddate: '2024-01-01T00:00:00.000Z',
  }),
  doc(2, {
    email: 'alan@example.com',
    firstname: 'Alan',
    nps_score: '10',
    lifecyclestage: 'customer',
    lastmodifieddate: '2024-01-02T00:00:00.000Z',
  }),
  doc(
    3,
    {
      email: 'grace@hubspot.com',
      firstname: 'Grace',
      lifecyclestage: 'Lead',
      lastmodifieddate: '2024-01-02T00:00:00.000Z',
    },
    500,
  ),
  doc(4, {
    firstname: 'Linus',
    nps_score: '3',
    interests: 'analytics;security',
    lastmodifieddate: '2024-01-03T00:00:00.000Z',
  }),
];

const ctx: SearchContext = {
  defs,
  queryProperties: ['firstname', 'email'],
  associated: (d, type) => (type === 'deals' && d.id === '2' ? ['77'] : []),
};

function ids(req: SearchRequest): string[] {
  return runSearch(docs, parseSearchRequest(req, JSON.stringify(req).length), ctx).ids;
}

function error(fn: () => unknown): HsError {
  try {
    fn();
  } catch (err) {
    if (err instanceof HsError) return err;
    throw err;
  }
  throw new Error('expected an HsError');
}

describe('search engine', () => {
  it('sorts by creation (oldest first) when no sort is given', () => {
    expect(ids({})).toEqual(['3', '1', '2', '4']);
  });

  it('ANDs filters in a group and ORs groups', () => {
    expect(
      ids({
        filterGroups: [
          {
            filters: [
              { propertyName: 'email', operator: 'CONTAINS_TOKEN', value: '*@hubspot.com' },
              { propertyName: 'nps_score', operator: 'HAS_PROPERTY' },
            ],
          },
          { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'linus' }] },
        ],
      }),
    ).toEqual(['1', '4']);
  });

  it('compares numbers numerically, dates by instant (epoch ms or ISO), strings case-insensitively, enums case-sensitively', () => {
    expect(
      ids({ filterGroups: [{ filters: [{ propertyName: 'nps_score', operator: 'GT', value: '9' }] }] }),
    ).toEqual(['2']);
    const since = String(Date.parse('2024-01-02T00:00:00.000Z'));
    expect(
      ids({
        filterGroups: [{ filters: [{ propertyName: 'lastmodifieddate', operator: 'GTE', value: since }] }],
      }),
    ).toEqual(['3', '2', '4']);
    expect(
      ids({
        filterGroups: [
          {
            filters: [
              {
                propertyName: 'lastmodifieddate',
                operator: 'BETWEEN',
                value: '2024-01-01T12:00:00Z',
                highValue: since,
              },
            ],
          },
        ],
      }),
    ).toEqual(['3', '2']);
    expect(
      ids({
        filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'ADA@HUBSPOT.COM' }] }],
      }),
    ).toEqual(['1']);
    expect(
      ids({
        filterGroups: [{ filters: [{ propertyName: 'lifecyclestage', operator: 'EQ', value: 'lead' }] }],
      }),
    ).toEqual(['1']);
    expect(compareValues(defs.get('nps_score'), '10', '9')).toBeGreaterThan(0);
  });

  it('handles IN / NOT_IN / NEQ / NOT_HAS_PROPERTY, treating a missing value as "not equal"', () => {
    expect(
      ids({
        filterGroups: [
          { filters: [{ propertyName: 'firstname', operator: 'IN', values: ['ada', 'grace'] }] },
        ],
      }),
    ).toEqual(['3', '1']);
    expect(
      ids({ filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'IN', values: ['ADA'] }] }] }),
    ).toEqual([]);
    expect(
      ids({ filterGroups: [{ filters: [{ propertyName: 'nps_score', operator: 'NEQ', value: '9' }] }] }),
    ).toEqual(['3', '2', '4']);
    expect(
      ids({
        filterGroups: [{ filters: [{ propertyName: 'nps_score', operator: 'NOT_IN', values: ['9', '10'] }] }],
      }),
    ).toEqual(['3', '4']);
    expect(
      ids({ filterGroups: [{ filters: [{ propertyName: 'email', operator: 'NOT_HAS_PROPERTY' }] }] }),
    ).toEqual(['4']);
    expect(
      ids({
        filterGroups: [{ filters: [{ propertyName: 'interests', operator: 'EQ', value: 'security' }] }],
      }),
    ).toEqual(['4']);
  });

  it('sorts by one property in either direction (object or "-name" form), missing values last, ties by id', () => {
    expect(ids({ sorts: [{ propertyName: 'nps_score', direction: 'DESCENDING' }] })).toEqual([
      '2',
      '1',
      '4',
      '3',
    ]);
    expect(ids({ sorts: ['lastmodifieddate'] })).toEqual(['1', '2', '3', '4']);
    expect(ids({ sorts: ['-lastmodifieddate'] })).toEqual(['4', '2', '3', '1']);
  });

  it('matches free-text query tokens and the associations pseudo-property', () => {
    expect(ids({ query: 'hubspot' })).toEqual(['3', '1']);
    expect(
      ids({
        filterGroups: [{ filters: [{ propertyName: 'associations.deals', operator: 'EQ', value: '77' }] }],
      }),
    ).toEqual(['2']);
  });

  it('pages with integer offsets and reports the full total', () => {
    const page = runSearch(docs, parseSearchRequest({ limit: 3 }, 10), ctx);
    expect(page).toEqual({ total: 4, ids: ['3', '1', '2'], nextAfter: '3' });
    expect(runSearch(docs, parseSearchRequest({ limit: 3, after: '3' }, 10), ctx)).toEqual({
      total: 4,
      ids: ['4'],
    });
  });

  it('refuses paging past 10,000 results', () => {
    const err = error(() => runSearch(docs, parseSearchRequest({ limit: 100, after: '9901' }, 10), ctx));
    expect(err.statusCode).toBe(400);
    expect(err.message).toMatch(/10000/);
    expect(() => runSearch(docs, parseSearchRequest({ limit: 100, after: '9900' }, 10), ctx)).not.toThrow();
  });

  it('enforces the documented request limits with messages naming the value', () => {
    const f = { propertyName: 'email', operator: 'HAS_PROPERTY' as const };
    expect(
      error(() => parseSearchRequest({ filterGroups: Array(6).fill({ filters: [f] }) }, 10)).message,
    ).toMatch(/6; at most 5/);
    expect(
      error(() => parseSearchRequest({ filterGroups: [{ filters: Array(7).fill(f) }] }, 10)).message,
    ).toMatch(/7; at most 6/);
    expect(
      error(() => parseSearchRequest({ filterGroups: Array(4).fill({ filters: Array(5).fill(f) }) }, 10))
        .message,
    ).toMatch(/20; at most 18/);
    expect(error(() => parseSearchRequest({ limit: 201 }, 10)).message).toMatch(/201/);
    expect(error(() => parseSearchRequest({}, 3001)).message).toMatch(/3001/);
    expect(
      error(() =>
        parseSearchRequest(
          { filterGroups: [{ filters: [{ propertyName: 'x', operator: 'LIKE' as never }] }] },
          10,
        ),
      ).statusCode,
    ).toBe(400);
  });

  it('tokenises CONTAINS_TOKEN values with * wildcards', () => {
    expect(containsToken('ada@hubspot.com', '*@hubspot.com')).toBe(true);
    expect(containsToken('Ada Lovelace', 'lovelace')).toBe(true);
    expect(containsToken('Ada Lovelace', 'love')).toBe(false);
    expect(containsToken('Ada Lovelace', 'love*')).toBe(true);
  });
});
