import {
  parseSalesforceDateTime,
  soqlDateTime,
  soqlIdList,
  soqlString,
} from '../../../../src/connectors/salesforce/soql';

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and control characters so a value cannot end the literal', () => {
    expect(soqlString("O'Brien\\x\n")).toBe("'O\\'Brien\\\\x\\n'");
    expect(soqlIdList(['003xx0000000001AAA', '003xx0000000002AAA'])).toBe(
      "('003xx0000000001AAA','003xx0000000002AAA')",
    );
  });

  it('writes whole-second datetimes without a fraction and keeps one when there is one', () => {
    expect(soqlDateTime(new Date('2024-05-01T00:00:00.000Z'))).toBe('2024-05-01T00:00:00Z');
    expect(soqlDateTime(new Date('2024-05-01T00:00:00.250Z'))).toBe('2024-05-01T00:00:00.250Z');
  });

  it('reads Salesforce datetimes with their +0000 offset', () => {
    expect(parseSalesforceDateTime('2024-05-20T20:49:32.000+0000').toISOString()).toBe(
      '2024-05-20T20:49:32.000Z',
    );
    expect(parseSalesforceDateTime('2024-05-20T22:49:32.000+0200').toISOString()).toBe(
      '2024-05-20T20:49:32.000Z',
    );
    expect(() => parseSalesforceDateTime('yesterday')).toThrow(/not a Salesforce datetime: "yesterday"/);
  });
});
