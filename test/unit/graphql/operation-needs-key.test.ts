import {
  getOperationAST,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  type OperationDefinitionNode,
} from 'graphql';
import { operationNeedsKey } from '../../../src/graphql/auth/operation-needs-key';
import { PUBLIC_EXTENSION } from '../../../src/graphql/auth/public.decorator';

const schema = new GraphQLSchema({
  query: new GraphQLObjectType({
    name: 'Query',
    fields: {
      health: { type: GraphQLString, extensions: { [PUBLIC_EXTENSION]: true } },
      viewer: { type: GraphQLString },
    },
  }),
  mutation: new GraphQLObjectType({
    name: 'Mutation',
    fields: {
      ping: { type: GraphQLString, extensions: { [PUBLIC_EXTENSION]: true } },
      write: { type: GraphQLString },
    },
  }),
});

function needsKey(source: string): boolean {
  const document = parse(source);
  return operationNeedsKey(schema, document, getOperationAST(document) as OperationDefinitionNode);
}

describe('operationNeedsKey', () => {
  it.each([
    ['{ health }', false],
    ['{ __typename health __schema { queryType { name } } }', false],
    ['{ viewer }', true],
    ['{ health viewer }', true],
    ['{ ... on Query { viewer } }', true],
    ['{ ...F } fragment F on Query { health }', false],
    ['{ ...F } fragment F on Query { ...G } fragment G on Query { viewer }', true],
    ['mutation { ping }', false],
    ['mutation { write }', true],
  ])('%s → %s', (source, expected) => {
    expect(needsKey(source)).toBe(expected);
  });
});
