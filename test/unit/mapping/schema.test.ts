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

describe('parseOverrides: keys that reach a prototype', () => {
  const entry = (canonical: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    canonical,
    native: 'Email',
    transform: { kind: 'string' },
    source: 'CRM',
    writable: false,
    ...extra,
  });

  it.each(['__proto__', 'constructor', 'prototype'])('refuses customFields.%s and %s as a name', (key) => {
    expect(() => parseOverrides([entry(`customFields.${key}`)])).toThrow(
      /overrides\.0\.canonical: expected a name without __proto__, constructor, prototype/,
    );
    expect(() => parseOverrides([entry('title', { native: `Account.${key}` })])).toThrow(
      /overrides\.0\.native: expected a name without/,
    );
  });

  it('refuses them as keys anywhere in an override, as JSON.parse makes them (own keys)', () => {
    const parsed = JSON.parse(
      '[{"canonical":"stage","native":"StageName","source":"CRM","writable":false,' +
        '"transform":{"kind":"picklist","unknown":"null","values":{"__proto__":{"polluted":"yes"}}}},' +
        '{"canonical":"title","remove":true,"constructor":{"prototype":{}}}]',
    ) as unknown[];
    expect(() => parseOverrides(parsed)).toThrow(
      'invalid field mapping: overrides.0.transform.values.__proto__: the key "__proto__" is not allowed (it reaches the prototype of an object); ' +
        'overrides.1.constructor: the key "constructor" is not allowed (it reaches the prototype of an object); ' +
        'overrides.1.constructor.prototype: the key "prototype" is not allowed (it reaches the prototype of an object)',
    );
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('bounds names and picklist tables', () => {
    expect(() => parseOverrides([entry(`customFields.${'a'.repeat(300)}`)])).toThrow(
      /overrides\.0\.canonical/,
    );
    const values = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`v${i}`, `c${i}`]));
    expect(() =>
      parseOverrides([entry('stage', { transform: { kind: 'picklist', values, unknown: 'null' } })]),
    ).toThrow(/at most 1000 picklist values/);
  });
});
