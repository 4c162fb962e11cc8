import 'reflect-metadata';
import {
  listWriteItems,
  resolveIdempotencyKey,
  toCanonicalPatch,
} from '../../../../src/graphql/writes/write-items';
import { isAppError } from '../../../../src/errors';

function thrown(fn: () => unknown): { code: string; message: string; details?: Record<string, unknown> } {
  try {
    fn();
  } catch (err) {
    if (isAppError(err)) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected a throw');
}

describe('toCanonicalPatch', () => {
  it('keeps only the fields the client sent: an absent one is untouched, a null clears', () => {
    // type-graphql hands over class instances whose absent fields are own properties set to undefined.
    const input = {
      firstName: 'Ada',
      lastName: undefined,
      phone: null,
      customFields: { tier: 'gold', x: null },
    };
    const problems: never[] = [];
    expect(toCanonicalPatch(input, 'input', problems)).toEqual({
      fields: { firstName: 'Ada', phone: null },
      customFields: { tier: 'gold', x: null },
    });
    expect(problems).toEqual([]);
  });

  it('writes no custom field for customFields: null, and names a value that is not canonical', () => {
    const problems: string[] = [];
    expect(toCanonicalPatch({ customFields: null }, 'input', [])).toEqual({ fields: {}, customFields: {} });
    toCanonicalPatch(
      { customFields: { nested: { a: 1 }, list: [1], tags: ['a'], n: 2 } },
      'items[3].input',
      problems,
    );
    expect(problems.map((p) => p.split(':')[0])).toEqual([
      'items[3].input.customFields.nested',
      'items[3].input.customFields.list',
    ]);
  });
});

describe('listWriteItems', () => {
  it('makes an update of an item with id, an upsert of one with externalId, a create of one with neither', () => {
    const items = listWriteItems('deal', 'c1', [
      { id: 'rec1', input: { name: 'A' } },
      { externalId: { field: 'name', value: 'B' }, input: { amount: '1.50' } },
      { input: { name: 'C' } },
    ]);
    expect(items).toEqual([
      {
        kind: 'UPDATE',
        object: 'deal',
        connectionId: 'c1',
        id: 'rec1',
        input: { fields: { name: 'A' }, customFields: {} },
      },
      {
        kind: 'UPSERT',
        object: 'deal',
        connectionId: 'c1',
        externalId: { field: 'name', value: 'B' },
        input: { fields: { amount: '1.50' }, customFields: {} },
      },
      {
        kind: 'CREATE',
        object: 'deal',
        connectionId: 'c1',
        input: { fields: { name: 'C' }, customFields: {} },
      },
    ]);
  });

  it('refuses an item with both id and externalId, naming every such item in details.problems', () => {
    const e = thrown(() =>
      listWriteItems('contact', 'c1', [
        { input: {} },
        { id: 'x', externalId: { field: 'email', value: 'a@b.c' }, input: {} },
        { id: 'y', externalId: { field: 'email', value: 'd@b.c' }, input: { customFields: { o: {} } } },
      ]),
    );
    expect(e.code).toBe('BAD_USER_INPUT');
    expect(e.message).toContain('items[1]: give id (an update) or externalId (an upsert), not both');
    expect((e.details?.problems as string[]).map((p) => p.split(':')[0])).toEqual([
      'items[1]',
      'items[2].input.customFields.o',
      'items[2]',
    ]);
  });
});

describe('resolveIdempotencyKey', () => {
  it('takes the argument or the header, and the same value in both', () => {
    expect(resolveIdempotencyKey(null, undefined)).toBeNull();
    expect(resolveIdempotencyKey('h-1', undefined)).toBe('h-1');
    expect(resolveIdempotencyKey(null, 'a-1')).toBe('a-1');
    expect(resolveIdempotencyKey('same', 'same')).toBe('same');
  });

  it('refuses two different keys, and keys that are empty, too long or not printable ASCII', () => {
    expect(thrown(() => resolveIdempotencyKey('h', 'a'))).toMatchObject({
      code: 'BAD_USER_INPUT',
      details: { problems: ['idempotencyKey: differs from the Idempotency-Key header'] },
    });
    expect(thrown(() => resolveIdempotencyKey(null, '')).message).toContain('got an empty string');
    expect(thrown(() => resolveIdempotencyKey('k'.repeat(256), null)).message).toMatch(
      /Idempotency-Key header.*256/,
    );
    expect(thrown(() => resolveIdempotencyKey(null, 'a\nb')).code).toBe('BAD_USER_INPUT');
  });
});
