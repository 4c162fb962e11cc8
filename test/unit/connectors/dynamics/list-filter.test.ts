import { listFilter } from '../../../../src/connectors/dynamics/list';

/** Which filter parts reach Dataverse's `$filter` (docs/vendors/dynamics.md "Querying"). */
describe('Dynamics list $filter', () => {
  it('pushes equality and prefix on known text columns, quoted with OData escaping', () => {
    expect(
      listFilter('contact', {
        equals: [{ field: 'emailaddress1', value: "o'neil@x.test" }],
        prefix: [
          { field: 'firstname', value: 'Ann' },
          { field: 'lastname', value: 'Ann' },
        ],
        modifiedSince: new Date('2026-01-02T03:04:05Z'),
      }),
    ).toBe(
      "modifiedon ge 2026-01-02T03:04:05.000Z and emailaddress1 eq 'o''neil@x.test' and " +
        "(startswith(firstname,'Ann') or startswith(lastname,'Ann'))",
    );
  });

  it('leaves a part on another column to the read layer: an equality alone, a prefix whole', () => {
    expect(
      listFilter('contact', {
        equals: [
          { field: 'cr8f3_loyaltytier', value: '100000000' },
          { field: 'lastname', value: 'Smith' },
        ],
        prefix: [
          { field: 'firstname', value: 'A' },
          { field: 'cr8f3_externalid', value: 'A' },
        ],
      }),
    ).toBe("lastname eq 'Smith'");
    expect(listFilter('deal', { equals: [{ field: 'salesstage', value: '1' }] })).toBeUndefined();
    expect(listFilter('deal', undefined)).toBeUndefined();
  });
});
