import { SoqlSyntaxError, parseSoql } from '../../../../src/sandbox/salesforce/soql-parser';

describe('SOQL parser', () => {
  it('parses fields, relationship paths, WHERE, ORDER BY, LIMIT and OFFSET', () => {
    const q = parseSoql(
      "SELECT Id, Account.Name FROM Contact WHERE (LastName = 'O\\'Brien' OR Email LIKE '%@x.com') AND NPS_Score__c >= 7 ORDER BY LastName DESC NULLS FIRST, Id LIMIT 10 OFFSET 5",
    );
    expect(q.select).toEqual([
      { kind: 'field', path: 'Id' },
      { kind: 'field', path: 'Account.Name' },
    ]);
    expect(q.from).toBe('Contact');
    expect(q.where).toEqual({
      type: 'and',
      items: [
        {
          type: 'or',
          items: [
            { type: 'compare', field: 'LastName', op: '=', value: { kind: 'string', value: "O'Brien" } },
            { type: 'like', field: 'Email', negated: false, pattern: '%@x.com' },
          ],
        },
        { type: 'compare', field: 'NPS_Score__c', op: '>=', value: { kind: 'number', value: 7 } },
      ],
    });
    expect(q.orderBy).toEqual([
      { path: 'LastName', descending: true, nullsLast: false },
      { path: 'Id', descending: false, nullsLast: false },
    ]);
    expect(q.limit).toBe(10);
    expect(q.offset).toBe(5);
  });

  it('reads literals: datetimes, dates, booleans, null, relative dates, IN lists and <>', () => {
    const q = parseSoql(
      "select id from contact where SystemModstamp > 2024-05-01T00:00:00Z and Birthdate < 2000-01-01 and IsDeleted = false and Email != null and CreatedDate = LAST_N_DAYS:7 and Id not in ('a', 'b') and Title <> 'x'",
    );
    const items = (
      q.where as { items: { value?: unknown; values?: unknown; op?: string; negated?: boolean }[] }
    ).items;
    expect(items[0]?.value).toEqual({
      kind: 'datetime',
      ms: Date.parse('2024-05-01T00:00:00Z'),
      text: '2024-05-01T00:00:00Z',
    });
    expect(items[1]?.value).toEqual({ kind: 'date', value: '2000-01-01' });
    expect(items[2]?.value).toEqual({ kind: 'boolean', value: false });
    expect(items[3]?.value).toEqual({ kind: 'null' });
    expect(items[4]?.value).toEqual({ kind: 'dateLiteral', name: 'LAST_N_DAYS', n: 7 });
    expect(items[5]).toMatchObject({
      negated: true,
      values: [
        { kind: 'string', value: 'a' },
        { kind: 'string', value: 'b' },
      ],
    });
    expect(items[6]?.op).toBe('!=');
  });

  it('parses COUNT(), child subqueries and semi-join subqueries', () => {
    expect(parseSoql('SELECT COUNT() FROM Contact').select).toEqual([
      { kind: 'count', field: undefined, alias: undefined },
    ]);
    const q = parseSoql(
      "SELECT Id, (SELECT ContactId FROM OpportunityContactRoles WHERE IsPrimary = true) FROM Opportunity WHERE Id IN (SELECT OpportunityId FROM OpportunityContactRole WHERE Role = 'Evaluator')",
    );
    expect(q.select[1]).toMatchObject({ kind: 'subquery', query: { from: 'OpportunityContactRoles' } });
    expect(q.where).toMatchObject({
      type: 'inQuery',
      field: 'Id',
      negated: false,
      query: { from: 'OpportunityContactRole' },
    });
  });

  it('groups one operator per level: chains of AND or of OR, mixes only inside parentheses', () => {
    expect(parseSoql('SELECT Id FROM Contact WHERE A = 1 AND B = 2 AND C = 3').where).toMatchObject({
      type: 'and',
      items: [{ field: 'A' }, { field: 'B' }, { field: 'C' }],
    });
    expect(parseSoql('SELECT Id FROM Contact WHERE A = 1 OR B = 2 OR C = 3').where).toMatchObject({
      type: 'or',
      items: [{ field: 'A' }, { field: 'B' }, { field: 'C' }],
    });
    // The connector's keyset page condition (src/connectors/salesforce/changes.ts).
    const keyset = parseSoql(
      "SELECT Id FROM Contact WHERE (SystemModstamp > 2024-05-01T00:00:00Z OR (SystemModstamp = 2024-05-01T00:00:00Z AND Id > '003')) ORDER BY SystemModstamp ASC, Id ASC LIMIT 200",
    );
    expect(keyset.where).toMatchObject({
      type: 'or',
      items: [
        { field: 'SystemModstamp', op: '>' },
        { type: 'and', items: [{ op: '=' }, { op: '>' }] },
      ],
    });
  });

  it('refuses what it does not understand, pointing at the column', () => {
    const cases: [string, RegExp][] = [
      ['SELECT Id FROM Contact WHERE', /unexpected token: <EOF>/],
      ['SELECT Id Contact', /unexpected token: 'Contact'|unexpected token/],
      ["SELECT Id FROM Contact WHERE Name = 'open", /unterminated string literal/],
      ['SELECT Id FROM Contact GROUP BY Id', /does not support GROUP/],
      ['SELECT Id FROM Contact LIMIT -1', /unexpected token/],
      ['SELECT Id FROM Contact WHERE Name = BOGUS', /unexpected token: 'BOGUS'/],
      ['SELECT Id FROM Contact WHERE Name ~ 1', /unexpected token: '~'/],
      // No AND/OR precedence in SOQL: mixing them at one level is refused at the second operator.
      ['SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3', /unexpected token: 'OR'/],
      ['SELECT Id FROM Contact WHERE A = 1 OR B = 2 AND C = 3', /unexpected token: 'AND'/],
      ['SELECT Id FROM Contact WHERE (A = 1 OR B = 2 AND C = 3)', /unexpected token: 'AND'/],
      ['SELECT Id FROM Contact WHERE NOT A = 1 AND B = 2 OR C = 3', /unexpected token: 'OR'/],
    ];
    for (const [soql, message] of cases) {
      let error: unknown;
      try {
        parseSoql(soql);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(SoqlSyntaxError);
      expect((error as Error).message).toMatch(message);
      expect((error as Error).message).toMatch(/ERROR at Row:1:Column:\d+/);
    }
  });
});
