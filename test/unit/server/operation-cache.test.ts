import { buildSchema, specifiedRules } from 'graphql';
import { BoundedLru } from '../../../src/server/bounded-lru';
import { AST_BYTES_PER_CHAR, DocumentCache } from '../../../src/server/document-cache';
import { type OperationLimits } from '../../../src/server/limits';
import { checkOperation } from '../../../src/server/variables';

const schema = buildSchema(`
  type Query { contacts(first: Int): ContactPage! }
  type ContactPage { nodes: [Contact!]! }
  type Contact { id: ID! deals: [Deal!]! }
  type Deal { id: ID! contacts: [Contact!]! }
`);
const limits: OperationLimits = { maxDepth: 3, maxAliases: 2, maxComplexity: 50, maxPageSize: 100 };
const DEEP = 'query D { contacts { nodes { deals { id } } } }';
const PAGED = 'query P($n: Int) { contacts(first: $n) { nodes { id } } }';

describe('BoundedLru', () => {
  it('keeps at most maxEntries, evicting the least recently used', () => {
    const lru = new BoundedLru<number>(2, 1000);
    lru.set('a', 1, 1);
    lru.set('b', 2, 1);
    expect(lru.get('a')).toBe(1); // a is now the most recent
    lru.set('c', 3, 1);
    expect([lru.get('a'), lru.get('b'), lru.get('c')]).toEqual([1, undefined, 3]);
    expect(lru.size).toBe(2);
  });

  it('keeps the stated sizes under maxBytes, and never stores an entry larger than that alone', () => {
    const lru = new BoundedLru<string>(100, 10);
    lru.set('a', 'x', 4);
    lru.set('b', 'y', 4);
    lru.set('c', 'z', 4);
    expect(lru.totalBytes).toBe(8);
    expect(lru.get('a')).toBeUndefined();
    lru.set('huge', 'w', 11);
    expect(lru.get('huge')).toBeUndefined();
    expect(lru.totalBytes).toBe(8);
    lru.set('b', 'y2', 2); // replacing an entry replaces its size
    expect(lru.totalBytes).toBe(6);
  });
});

describe('DocumentCache (the WebSocket path)', () => {
  it('hands back the same document for the same text, parsed and validated once', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    const a = cache.prepare(DEEP);
    const b = cache.prepare(DEEP);
    expect(a.errors).toBeUndefined();
    expect(b.errors).toBeUndefined();
    expect(a.errors === undefined && b.errors === undefined && a.document === b.document).toBe(true);
    expect(cache.size).toBe(1);
  });

  it('keeps no invalid document: each send is parsed and validated again, with the same errors', () => {
    const cache = new DocumentCache(schema, specifiedRules);
    for (let i = 0; i < 2; i++) {
      expect(cache.prepare('{ contacts { nope } }').errors).toEqual([
        expect.objectContaining({
          message: 'Cannot query field "nope" on type "ContactPage". Did you mean "nodes"?',
          extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
        }),
      ]);
      expect(cache.prepare('query Q { contacts(').errors).toEqual([
        expect.objectContaining({ extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
      ]);
      expect(cache.prepare('query Q { contacts { nope } }')).toMatchObject({ type: 'query' });
    }
    expect(cache.size).toBe(0);
  });

  it('stays within its bounds whatever distinct documents arrive', () => {
    // Each of these texts is about 40 characters: about 3,200 estimated bytes.
    const text = (i: number) => `query Q${i} { contacts { nodes { id } } }`;
    const bounds = { maxDocuments: 5, maxBytes: 10 * AST_BYTES_PER_CHAR * 45, maxDocumentChars: 100 };
    const cache = new DocumentCache(schema, specifiedRules, bounds);
    for (let i = 0; i < 50; i++) cache.prepare(text(i));
    expect(cache.size).toBe(5);
    const long = `query ${'L'.repeat(120)} { contacts { nodes { id } } }`;
    const [a, b] = [cache.prepare(long), cache.prepare(long)];
    expect(a.errors === undefined && b.errors === undefined && a.document !== b.document).toBe(true);
    const small = new DocumentCache(schema, specifiedRules, { ...bounds, maxBytes: AST_BYTES_PER_CHAR * 45 });
    for (let i = 0; i < 50; i++) small.prepare(text(i));
    expect(small.size).toBe(1);
  });
});

describe('operation checks behind the document cache', () => {
  const cache = new DocumentCache(schema, specifiedRules);
  const send = (query: string, variables?: Record<string, unknown>) => {
    const prepared = cache.prepare(query);
    if (prepared.errors) throw new Error('invalid test document');
    return checkOperation({ schema, document: prepared.document, variables }, limits);
  };

  it('rejects a document that breaks a limit on every send, not only the first', () => {
    for (let i = 0; i < 3; i++) {
      expect(send(DEEP)).toMatchObject({
        code: 'QUERY_TOO_COMPLEX',
        message: 'D is nested 4 levels deep; the limit is 3',
      });
    }
  });

  it('checks again under changed limits, even when the same limits object was changed in place', () => {
    const mine: OperationLimits = { ...limits };
    const check = () => {
      const prepared = cache.prepare(DEEP);
      if (prepared.errors) throw new Error('invalid test document');
      return checkOperation({ schema, document: prepared.document }, mine);
    };
    expect(check()?.code).toBe('QUERY_TOO_COMPLEX');
    mine.maxDepth = 4;
    expect(check()).toBeNull();
    mine.maxDepth = 3;
    expect(check()?.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('checks a variable-dependent limit per variables: a passing send lets no later send through', () => {
    for (let i = 0; i < 2; i++) {
      expect(send(PAGED, { n: 5 })).toBeNull();
      expect(send(PAGED, { n: 500 })).toMatchObject({
        code: 'BAD_USER_INPUT',
        message: 'contacts(first:) must be between 0 and 100; got 500',
      });
      // Omitted variables are not the same as any sent value.
      expect(send(PAGED)).toBeNull();
    }
  });

  it('checks variables too large to remember on every send, with the same verdict', () => {
    const big = { n: 500, padding: 'x'.repeat(5000) };
    const a = send(PAGED, big);
    const b = send(PAGED, big);
    expect(a?.code).toBe('BAD_USER_INPUT');
    expect(b).not.toBe(a); // computed again, not held
    expect(b?.message).toBe(a?.message);
  });
});
