import { soqlCondition, soqlLikePrefix } from '../../../../src/connectors/salesforce/soql-filter';
import { DATA, salesforce, sf, sfId } from './sf-context';

/** Filtered lists: the SOQL WHERE a list filter becomes, as Salesforce receives it (nock). */

const contact = (n: number) => ({
  attributes: { type: 'Contact', url: `${DATA}/sobjects/Contact/${sfId('003', n)}` },
  Id: sfId('003', n),
  IsDeleted: false,
  FirstName: `First${n}`,
  LastName: `Last${n}`,
  Email: `c${n}@example.com`,
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:32.000+0000',
});

/** Answers one query on `path` and hands back the SOQL it was sent. */
function captureQuery(path: 'query' | 'queryAll', records: unknown[], more?: string): { soql: () => string } {
  let sent = '';
  sf()
    .get(`${DATA}/${path}`)
    .query((q) => {
      sent = String(q.q);
      return true;
    })
    .reply(200, {
      totalSize: records.length,
      done: !more,
      records,
      ...(more ? { nextRecordsUrl: `${DATA}/query/${more}` } : {}),
    });
  return { soql: () => sent };
}

describe('Salesforce filtered listRecords', () => {
  it('puts email, name prefix and modified-since into the WHERE, keeping the Id order', async () => {
    const { connector } = salesforce();
    const q = captureQuery('query', [contact(1)]);
    const page = await connector.listRecords('contact', {
      pageSize: 10,
      filter: {
        equals: [{ field: 'Email', value: 'ada@example.com' }],
        prefix: [
          { field: 'FirstName', value: 'ad' },
          { field: 'LastName', value: 'ad' },
        ],
        modifiedSince: new Date('2024-05-01T10:00:00.750Z'),
      },
    });
    expect(q.soql()).toMatch(
      / FROM Contact WHERE \(Email = 'ada@example\.com' AND \(FirstName LIKE 'ad%' OR LastName LIKE 'ad%'\) AND SystemModstamp >= 2024-05-01T10:00:00Z\) ORDER BY Id ASC LIMIT 11$/,
    );
    expect(page.items.map((r) => r.remoteId)).toEqual([sfId('003', 1)]);
    expect(page.nextCursor).toBeNull();
  });

  it('escapes a quote and a backslash in every literal, and % and _ in LIKE only', async () => {
    const { connector } = salesforce();
    const q = captureQuery('query', []);
    await connector.listRecords('contact', {
      pageSize: 10,
      filter: {
        equals: [{ field: 'Email', value: "o'hara\\x_1%@example.com" }],
        prefix: [{ field: 'LastName', value: "O'B\\r_n%" }],
      },
    });
    expect(q.soql()).toContain(
      String.raw`WHERE (Email = 'o\'hara\\x_1%@example.com' AND LastName LIKE 'O\'B\\r\_n\%%') ORDER BY`,
    );
  });

  it('continues a filtered query by keyset after the last record, and reads deleted records through /queryAll', async () => {
    const { connector } = salesforce();
    const filter = { modifiedSince: new Date('2024-05-01T00:00:00Z') };
    const q = captureQuery('queryAll', [contact(1), contact(2)]);
    const first = await connector.listRecords('contact', { pageSize: 1, includeDeleted: true, filter });
    expect(q.soql()).toContain('WHERE (SystemModstamp >= 2024-05-01T00:00:00Z) ORDER BY Id ASC LIMIT 2');
    expect(first.items.map((r) => r.remoteId)).toEqual([sfId('003', 1)]);
    const again = captureQuery('queryAll', [contact(2)]);
    const second = await connector.listRecords('contact', {
      pageSize: 1,
      includeDeleted: true,
      filter,
      cursor: first.nextCursor,
    });
    // The filter and the keyset, each parenthesized: SOQL refuses AND mixed with OR without them.
    expect(again.soql()).toContain(
      `WHERE (SystemModstamp >= 2024-05-01T00:00:00Z) AND (Id > '${sfId('003', 1)}') ORDER BY Id ASC LIMIT 2`,
    );
    expect(second.items.map((r) => r.remoteId)).toEqual([sfId('003', 2)]);
    expect(second.nextCursor).toBeNull();
  });

  it('declares that every filter part pushes down, with deleted records too', () => {
    expect(salesforce().connector.listFilters).toEqual({
      equals: true,
      prefix: 'any',
      modifiedSince: true,
      withDeleted: true,
    });
  });
});

describe('soql-filter', () => {
  it('quotes LIKE prefixes per the SOQL escape sequences', () => {
    expect(soqlLikePrefix('Ter')).toBe("'Ter%'");
    expect(soqlLikePrefix('Ter%')).toBe(String.raw`'Ter\%%'`);
    expect(soqlLikePrefix('a_b')).toBe(String.raw`'a\_b%'`);
    expect(soqlLikePrefix("Bob's")).toBe(String.raw`'Bob\'s%'`);
    // A backslash is escaped once, and a % after it stays an escaped literal, not a wildcard.
    expect(soqlLikePrefix('a\\%')).toBe(String.raw`'a\\\%%'`);
  });

  it('narrows nothing for an empty filter, one prefix needs no parentheses', () => {
    expect(soqlCondition(undefined)).toBeNull();
    expect(soqlCondition({})).toBeNull();
    expect(soqlCondition({ equals: [], prefix: [] })).toBeNull();
    expect(soqlCondition({ prefix: [{ field: 'Name', value: 'Big' }] })).toBe("Name LIKE 'Big%'");
  });

  it('refuses a field name that is not an API name, so a mapping cannot inject SOQL', () => {
    expect(() => soqlCondition({ equals: [{ field: "Email = 'x' OR Id", value: 'y' }] })).toThrow(RangeError);
    expect(() => soqlCondition({ prefix: [{ field: 'Name)--', value: 'y' }] })).toThrow(RangeError);
    expect(soqlCondition({ equals: [{ field: 'Account.Name', value: 'Acme' }] })).toBe(
      "Account.Name = 'Acme'",
    );
  });
});
