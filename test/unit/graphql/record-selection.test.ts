import 'reflect-metadata';
import { buildSchema, getOperationAST, type GraphQLSchema, parse, validate } from 'graphql';
import fs from 'node:fs';
import path from 'node:path';
import { type CrmObject } from '../../../src/connectors/types';
import { identityOnlyObjects } from '../../../src/graphql/records/record-selection';

/** Against the committed schema: which objects an operation reads for identity alone. */
const schema: GraphQLSchema = buildSchema(
  fs.readFileSync(path.resolve(__dirname, '../../../schema/schema.graphql'), 'utf8'),
);

function identityOnly(source: string): CrmObject[] {
  const document = parse(source);
  // Unused fragments aside, every operation here is one the API accepts.
  expect(validate(schema, document).filter((e) => !/is never used/.test(e.message))).toEqual([]);
  return [...identityOnlyObjects(schema, document, getOperationAST(document)!)].sort();
}

describe('identityOnlyObjects', () => {
  it('reads both objects for identity alone when only ids and associations are selected', () => {
    expect(
      identityOnly(`query { contacts(connectionId: "c", first: 100) {
        nodes { id remoteId isDeleted __typename deals { remoteId contacts { remoteId connectionId } } } } }`),
    ).toEqual(['contact', 'deal']);
  });

  it('reads an object in full as soon as one CRM field of it is selected, wherever', () => {
    expect(
      identityOnly(`query { contacts(connectionId: "c", first: 10) {
        nodes { remoteId deals { remoteId contacts { email } } } } }`),
    ).toEqual(['deal']);
    expect(
      identityOnly(`query { contacts(connectionId: "c", first: 10) { nodes { remoteId ...D } } }
        fragment D on Contact { deals { amount } }`),
    ).toEqual(['contact']);
    expect(
      identityOnly(
        `query { contact(id: "x") { remoteId updatedAt customFields mappingIssues { canonical } } }`,
      ),
    ).toEqual([]);
  });

  it('counts a fragment the operation does not use (it can only make a read fuller)', () => {
    expect(
      identityOnly(`query { contacts(connectionId: "c", first: 10) { nodes { remoteId } } }
        fragment Unused on Contact { firstName }`),
    ).toEqual([]);
  });

  it('reads in full under a filter (applied to canonical fields after fetch) and in a mutation', () => {
    expect(
      identityOnly(
        `query { contacts(connectionId: "c", first: 10, filter: { email: "a@b.c" }) { nodes { remoteId } } }`,
      ),
    ).toEqual([]);
    expect(identityOnly(`mutation { deleteContact(id: "x") { id } }`)).toEqual([]);
  });
});
