import { buildSchema, parse, validate } from 'graphql';
import { checkOperationLimits, type OperationLimits } from '../../../src/server/limits';
import { checkOperation } from '../../../src/server/variables';

/** A recursive schema, so depth and page size can be exercised as the read API will. */
const schema = buildSchema(`
  type Query { contacts(first: Int, after: String): ContactPage! contact(id: ID!): Contact }
  type ContactPage { nodes: [Contact!]! }
  type Contact { id: ID! name: String deals(first: Int = 10): [Deal!]! }
  type Deal { id: ID! contacts(last: Int): [Contact!]! }
  input Filter { name: String! tags: [String!] }
  type Mutation { noop(filter: Filter!): Boolean }
`);

const limits: OperationLimits = { maxDepth: 4, maxAliases: 2, maxComplexity: 50, maxPageSize: 100 };

function check(query: string, variables?: Record<string, unknown>, l: Partial<OperationLimits> = {}) {
  const document = parse(query);
  expect(validate(schema, document)).toEqual([]);
  return checkOperation({ schema, document, variables }, { ...limits, ...l });
}

describe('checkOperationLimits', () => {
  it('passes an operation within every limit', () => {
    expect(check('{ contacts(first: 5) { nodes { id deals { id } } } }')).toBeNull();
  });

  it('measures depth through fragments and inline fragments, not counting introspection', () => {
    const deep =
      'query D { contacts { nodes { ...C } } } fragment C on Contact { deals { ... on Deal { contacts { id } } } }';
    const err = check(deep);
    expect(err?.code).toBe('QUERY_TOO_COMPLEX');
    expect(err?.message).toBe('D is nested 5 levels deep; the limit is 4');
    expect(check('{ __schema { types { fields { type { ofType { ofType { name } } } } } } }')).toBeNull();
  });

  it('counts aliases, a fragment once per spread', () => {
    const q =
      'query A { contacts { nodes { ...F } } x: contacts { nodes { ...F } } } fragment F on Contact { a: id }';
    expect(check(q)?.message).toBe('A uses 3 aliases; the limit is 2');
  });

  it('costs lists by their page size', () => {
    expect(check('query C { contacts(first: 100) { nodes { id } } }')).toBeNull(); // 1 + 1 + 1 = simple estimator
    expect(
      checkOperationLimits(
        {
          schema,
          document: parse('query C { a: contact(id: "1") { id name } b: contact(id: "2") { id name } }'),
        },
        { ...limits, maxComplexity: 5, maxAliases: 10 },
      )?.message,
    ).toBe('C costs 6; the limit is 5');
  });

  it('refuses a page larger than the maximum, from a literal, a variable or a fragment', () => {
    expect(check('{ contacts(first: 101) { nodes { id } } }')?.message).toBe(
      'contacts(first:) must be between 0 and 100; got 101',
    );
    expect(check('query P($n: Int) { contacts(first: $n) { nodes { id } } }', { n: 500 })?.code).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      check('{ contact(id: "1") { ...D } } fragment D on Contact { deals { contacts(last: -1) { id } } }')
        ?.message,
    ).toBe('contacts(last:) must be between 0 and 100; got -1');
    expect(check('{ contacts(first: 100) { nodes { id } } }')).toBeNull();
  });
});

describe('checkOperation: variables', () => {
  const op = 'mutation M($filter: Filter!) { noop(filter: $filter) }';

  it('says where, what was expected and what arrived, without repeating strings', () => {
    expect(check(op, { filter: { name: 42 } })?.message).toBe(
      'variable $filter at filter.name: String cannot represent a non string value; got 42',
    );
    expect(check(op, { filter: { name: 'x', tags: ['ok', 7] } })?.message).toBe(
      'variable $filter at filter.tags[1]: String cannot represent a non string value; got 7',
    );
    const missing = check(op, { filter: { tags: ['a-secret-tag'] } });
    expect(missing?.message).toBe(
      'variable $filter at filter: Field "name" of required type "String!" was not provided; got an object',
    );
    expect(check(op, {})?.message).toBe('variable $filter of type Filter! was not provided');
    expect(check(op, { filter: 'sk_live_123' })?.message).toBe(
      'variable $filter at filter: Expected type "Filter" to be an object; got a string of 11 characters',
    );
  });
});

describe('checkOperation memo', () => {
  const deep = 'query D { contacts { nodes { deals { contacts { deals { id } } } } } }';

  it('remembers a query’s verdict per document, operation, variables and limits', () => {
    const document = parse(deep);
    const first = checkOperation({ schema, document }, limits);
    expect(first?.code).toBe('QUERY_TOO_COMPLEX');
    expect(checkOperation({ schema, document }, limits)).toBe(first); // the same verdict, not recomputed
    // Other limits are another verdict.
    expect(checkOperation({ schema, document }, { ...limits, maxDepth: 10 })).toBeNull();
    const paged = parse('query P($n: Int) { contacts(first: $n) { nodes { id } } }');
    expect(checkOperation({ schema, document: paged, variables: { n: 5 } }, limits)).toBeNull();
    expect(checkOperation({ schema, document: paged, variables: { n: 500 } }, limits)?.code).toBe(
      'BAD_USER_INPUT',
    );
  });

  it('never remembers a mutation (its variables may be credentials)', () => {
    const document = parse('mutation M($f: Filter!) { noop(filter: $f) }');
    const a = checkOperation({ schema, document, variables: { f: {} } }, limits);
    const b = checkOperation({ schema, document, variables: { f: {} } }, limits);
    expect(a?.code).toBe('BAD_USER_INPUT');
    expect(b).not.toBe(a);
    expect(b?.message).toBe(a?.message);
  });
});
