import { buildSchema } from 'graphql';
import { missingWriteApi } from '../../support/write-contract';

/** What bench:writes and the reliability scenarios decide from: whether a schema has the write API. */
describe('missingWriteApi', () => {
  const base = 'scalar JSONObject type WriteOperation { id: ID! }';
  it('names every part of the write API a schema lacks', () => {
    const schema = buildSchema(`${base} type Query { health: String } type Mutation { noop: Boolean }`);
    expect(missingWriteApi(schema)).toBe(
      'the schema has no Mutation.upsertContacts, Query.writeOperations, Subscription.writeOperationUpdated',
    );
  });

  it('is null when the mutation, the query and the subscription are there', () => {
    const schema = buildSchema(`${base}
      type Query { writeOperations: [WriteOperation!]! }
      type Mutation { upsertContacts(connectionId: ID!): [WriteOperation!]! }
      type Subscription { writeOperationUpdated: WriteOperation! }`);
    expect(missingWriteApi(schema)).toBeNull();
  });
});
