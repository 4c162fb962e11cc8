import { BULK_NULL, parseCsv, toCsv } from '../../../../src/connectors/salesforce/csv';

describe('CSV for Bulk API 2.0', () => {
  it('round-trips commas, quotes, newlines and nulls', () => {
    const text = toCsv(
      ['A', 'B', 'C'],
      [
        { A: 'x,y', B: 'say "hi"', C: null },
        { A: 'two\nlines', B: 3, C: true },
      ],
    );
    expect(text).toBe(`A,B,C\n"x,y","say ""hi""",${BULK_NULL}\n"two\nlines",3,true\n`);
    expect(parseCsv(text)).toEqual([
      { A: 'x,y', B: 'say "hi"', C: BULK_NULL },
      { A: 'two\nlines', B: '3', C: 'true' },
    ]);
    expect(parseCsv('"a","b"\r\n"1","2"\r\n')).toEqual([{ a: '1', b: '2' }]);
  });

  it('refuses a nested value rather than writing garbage', () => {
    expect(() => toCsv(['A'], [{ A: { x: 1 } }])).toThrow(/cannot hold an object/);
  });
});
