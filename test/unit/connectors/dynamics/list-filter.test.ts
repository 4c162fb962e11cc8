import { DYNAMICS_LIST_FILTERS, listFilterQuery } from '../../../../src/connectors/dynamics/list-filter';

/** The `$filter` a list pushes to Dataverse: pure, so every rule is checked here. */

describe('Dynamics list filters', () => {
  it('declares equality, any prefix, the stamp, and filters with deleted rows', () => {
    expect(DYNAMICS_LIST_FILTERS).toEqual({
      equals: true,
      prefix: 'any',
      modifiedSince: true,
      withDeleted: true,
    });
  });

  it('pushes nothing without a filter, or with only parts it cannot spell', () => {
    expect(listFilterQuery('contact', undefined)).toBeUndefined();
    expect(listFilterQuery('contact', {})).toBeUndefined();
    // A choice column would need a number, a lookup an unquoted GUID: left to the read layer.
    expect(listFilterQuery('contact', { equals: [{ field: 'statecode', value: '0' }] })).toBeUndefined();
  });

  it('spells equality on text columns as quoted literals, a quote doubled, and keeps the stamp', () => {
    const since = new Date('2026-01-02T03:04:05.678Z');
    expect(
      listFilterQuery('contact', {
        modifiedSince: since,
        equals: [
          { field: 'emailaddress1', value: "o'neil@example.com" },
          { field: 'cr8f3_tier', value: 'gold' },
        ],
      }),
    ).toBe("modifiedon ge 2026-01-02T03:04:05.678Z and emailaddress1 eq 'o''neil@example.com'");
    expect(listFilterQuery('deal', { equals: [{ field: 'name', value: 'Big deal' }] })).toBe(
      "name eq 'Big deal'",
    );
  });

  it('ORs prefixes with startswith, and pushes none when one entry cannot be spelled', () => {
    expect(
      listFilterQuery('contact', {
        prefix: [
          { field: 'emailaddress1', value: 'ann' },
          { field: 'lastname', value: 'Sm' },
        ],
      }),
    ).toBe("(startswith(emailaddress1,'ann') or startswith(lastname,'Sm'))");
    expect(
      listFilterQuery('contact', {
        prefix: [
          { field: 'emailaddress1', value: 'ann' },
          { field: 'cr8f3_tier', value: 'g' },
        ],
      }),
    ).toBeUndefined();
  });

  it('cuts a prefix before a bracket, which Dataverse reads as a wildcard class', () => {
    expect(listFilterQuery('contact', { prefix: [{ field: 'lastname', value: 'ab[c]d' }] })).toBe(
      "startswith(lastname,'ab')",
    );
    expect(listFilterQuery('contact', { prefix: [{ field: 'lastname', value: '[x' }] })).toBeUndefined();
  });
});
