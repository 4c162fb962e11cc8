import { parseCoql } from '../../../../src/sandbox/zoho/coql-parser';
import { ZohoError } from '../../../../src/sandbox/zoho/errors';
import { parseCriteria } from '../../../../src/sandbox/zoho/search';

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (err) {
    if (err instanceof ZohoError) return err.code;
    throw err;
  }
  return undefined;
}

describe('COQL parser', () => {
  it('reads columns, module, nested where, order by and both LIMIT forms', () => {
    expect(
      parseCoql(
        "SELECT Last_Name, Email from Contacts where (Modified_Time >= '2024-01-01T00:00:00+00:00' and (id > '42' or Email is not null)) order by Modified_Time asc, id desc limit 10, 50",
      ),
    ).toEqual({
      columns: ['Last_Name', 'Email'],
      module: 'Contacts',
      where: {
        kind: 'and',
        parts: [
          { kind: 'cmp', field: 'Modified_Time', op: '>=', value: '2024-01-01T00:00:00+00:00' },
          {
            kind: 'or',
            parts: [
              { kind: 'cmp', field: 'id', op: '>', value: '42' },
              { kind: 'null', field: 'Email', negate: true },
            ],
          },
        ],
      },
      orderBy: [
        { field: 'Modified_Time', direction: 'asc' },
        { field: 'id', direction: 'desc' },
      ],
      limit: 50,
      offset: 10,
    });
    expect(parseCoql('select id from Deals limit 5 offset 20')).toMatchObject({ limit: 5, offset: 20 });
    expect(
      parseCoql(
        "select id from Deals where Stage in ('Closed Won', 'Closed Lost') and Deal_Name like 'Acme%'",
      ).where,
    ).toEqual({
      kind: 'and',
      parts: [
        { kind: 'in', field: 'Stage', values: ['Closed Won', 'Closed Lost'], negate: false },
        { kind: 'like', field: 'Deal_Name', pattern: 'Acme%', negate: false },
      ],
    });
    expect(parseCoql("select id from Deals where Deal_Name = 'O''Brien'").where).toMatchObject({
      value: "O'Brien",
    });
  });

  it('defaults LIMIT to 200 and refuses what the documented limits forbid', () => {
    expect(parseCoql('select id from Contacts')).toMatchObject({ limit: 200, offset: 0 });
    expect(codeOf(() => parseCoql('select id from Contacts limit 2001'))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseCoql('select id from Contacts limit 99000, 2000'))).toBe('LIMIT_EXCEEDED');
    const where = Array.from({ length: 26 }, (_, i) => `id != '${i + 1}'`).join(' and ');
    expect(codeOf(() => parseCoql(`select id from Contacts where ${where}`))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseCoql('select from Contacts'))).toBe('SYNTAX_ERROR');
    expect(codeOf(() => parseCoql("select id from Contacts where Email = 'x"))).toBe('SYNTAX_ERROR');
    expect(codeOf(() => parseCoql('select id from Contacts limit 10 garbage'))).toBe('SYNTAX_ERROR');
  });
});

describe('search criteria parser', () => {
  it('reads nested groups, escaped values, in and between', () => {
    expect(parseCriteria('((Last_Name:starts_with:G) and (Email:equals:a\\(b\\)@x.com))')).toEqual({
      kind: 'and',
      parts: [
        { kind: 'test', field: 'Last_Name', op: 'starts_with', values: ['G'] },
        { kind: 'test', field: 'Email', op: 'equals', values: ['a(b)@x.com'] },
      ],
    });
    expect(parseCriteria('(Stage:in:Closed Won,Closed Lost)')).toEqual({
      kind: 'test',
      field: 'Stage',
      op: 'in',
      values: ['Closed Won', 'Closed Lost'],
    });
    expect(parseCriteria('(Amount:between:10,20)')).toMatchObject({ op: 'between', values: ['10', '20'] });
    expect(parseCriteria('(Modified_Time:greater_equal:2024-01-01T00:00:00+05:30)')).toMatchObject({
      values: ['2024-01-01T00:00:00+05:30'],
    });
  });

  it('refuses unknown operators, unbalanced groups and more than 10 criteria', () => {
    expect(codeOf(() => parseCriteria('(Email:like:x)'))).toBe('INVALID_DATA');
    expect(codeOf(() => parseCriteria('(Email:equals:x'))).toBe('INVALID_DATA');
    const many = Array.from({ length: 11 }, (_, i) => `(Email:equals:${i})`).join('and');
    expect(codeOf(() => parseCriteria(`(${many})`))).toBe('LIMIT_EXCEEDED');
  });
});
