import { parseOverrides } from '../../../src/mapping/schema';

describe('parseOverrides', () => {
  it('accepts entries and removals', () => {
    const input = [
      {
        canonical: 'customFields.Score__c',
        native: 'Score__c',
        transform: { kind: 'decimal', native: 'number' },
        source: 'APP',
        writable: true,
      },
      { canonical: 'title', remove: true },
    ];
    expect(parseOverrides(input)).toEqual(input);
  });

  it('names each bad entry', () => {
    expect(() =>
      parseOverrides([
        {
          canonical: 'x y',
          native: 'A',
          transform: { kind: 'decimal', native: 'float' },
          source: 'ME',
          writable: true,
        },
      ]),
    ).toThrow(
      /overrides\.0\.canonical: expected a canonical field name.*overrides\.0\.transform\.native.*overrides\.0\.source/,
    );
    expect(() => parseOverrides({})).toThrow(/BAD_USER_INPUT|invalid field mapping/);
  });
});
