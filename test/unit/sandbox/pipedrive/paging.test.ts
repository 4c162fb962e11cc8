import { decodeCursor, encodeCursor, pageOf, parseLimit } from '../../../../src/sandbox/pipedrive/paging';
import { PdError } from '../../../../src/sandbox/pipedrive/errors';

const rows = [
  { id: 1, t: 10 },
  { id: 2, t: 10 },
  { id: 3, t: 5 },
  { id: 4, t: 10 },
  { id: 5, t: 20 },
];

function walk(direction: 'asc' | 'desc', limit: number): number[] {
  const out: number[] = [];
  let cursor: string | undefined;
  do {
    const { page, nextCursor } = pageOf(rows, (r) => r.t, direction, limit, 'o', cursor);
    out.push(...page.map((r) => r.id));
    cursor = nextCursor ?? undefined;
  } while (cursor);
  return out;
}

describe('v2 cursor paging', () => {
  it.each([1, 2, 3, 5, 7])('walks ties by id in both directions at limit %i', (limit) => {
    expect(walk('asc', limit)).toEqual([3, 1, 2, 4, 5]);
    expect(walk('desc', limit)).toEqual([5, 4, 2, 1, 3]);
  });

  it('refuses cursors that are not ours or belong to another order', () => {
    const cursor = encodeCursor({ v: 10, id: 2, o: 'a' });
    expect(decodeCursor(cursor, 'a')).toEqual({ v: 10, id: 2, o: 'a' });
    for (const bad of [
      '',
      '!!!',
      encodeCursor({ v: 1, id: 1, o: 'b' }),
      Buffer.from('[1]').toString('base64url'),
      'x'.repeat(5000),
    ])
      expect(() => decodeCursor(bad, 'a')).toThrow(PdError);
  });

  it('parses limit within 1..max and says what arrived', () => {
    expect(parseLimit(undefined)).toBe(100);
    expect(parseLimit('500')).toBe(500);
    expect(() => parseLimit('501')).toThrow(/limit: expected an integer from 1 to 500, got "501"/);
    expect(() => parseLimit('1.5')).toThrow(PdError);
  });
});
