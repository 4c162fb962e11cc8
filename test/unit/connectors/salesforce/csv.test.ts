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

  it('parses quoted and bare cells alike: CRLF and LF rows, doubled quotes, delimiters and line breaks inside quotes, empty cells', () => {
    const text =
      '"Id","Name",Note\r\n"1","O""Brien, Jr.","two\r\nlines"\n2,,plain text\n"3","",""\n4,a"b,c"d,end';
    expect(parseCsv(text)).toEqual([
      { Id: '1', Name: 'O"Brien, Jr.', Note: 'two\r\nlines' },
      { Id: '2', Name: '', Note: 'plain text' },
      { Id: '3', Name: '', Note: '' },
      // A quote inside a bare cell opens a quoted run, as RFC 4180 readers commonly do.
      { Id: '4', Name: 'ab,cd', Note: 'end' },
    ]);
    expect(parseCsv('"A","B"\n')).toEqual([]);
    expect(parseCsv('')).toEqual([]);
  });
});
