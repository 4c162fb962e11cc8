import { buildSchema, execute, type GraphQLResolveInfo, parse } from 'graphql';
import { selectsSubfield } from '../../../src/graphql/selected-fields';

const schema = buildSchema(`
  type Op { id: ID, status: String, record: String, failure: String }
  type Query { op: Op }
`);

/** What `selectsSubfield(info, name)` answers inside the resolver of the response key `op` of `query`. */
function selects(query: string, name: string): boolean {
  let answer: boolean | undefined;
  void execute({
    schema,
    document: parse(query),
    rootValue: {
      op: (_args: unknown, _ctx: unknown, info: GraphQLResolveInfo) => {
        if (info.path.key === 'op') answer = selectsSubfield(info, name);
        return null;
      },
    },
  });
  if (answer === undefined) throw new Error('the resolver did not run');
  return answer;
}

describe('selectsSubfield', () => {
  it('sees a field selected directly, under an alias, in inline fragments and in fragment spreads', () => {
    expect(selects('{ op { id status } }', 'record')).toBe(false);
    expect(selects('{ op { id record } }', 'record')).toBe(true);
    expect(selects('{ op { r: record } }', 'record')).toBe(true);
    expect(selects('{ op { ... on Op { failure } } }', 'failure')).toBe(true);
    expect(selects('{ op { ...F } } fragment F on Op { ...G } fragment G on Op { record }', 'record')).toBe(
      true,
    );
    expect(selects('{ op { ...F } } fragment F on Op { id }', 'record')).toBe(false);
  });

  it('looks only beneath the resolved field, and at every node of it', () => {
    expect(selects('{ op { id } other: op { record } }', 'record')).toBe(false);
    expect(selects('{ op { id } op { record } }', 'record')).toBe(true);
  });
});
