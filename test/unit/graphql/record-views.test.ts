import 'reflect-metadata';
import { type GraphQLObjectType } from 'graphql';
import { Contact, toContact } from '../../../src/graphql/contact/contact.type';
import { Deal, toDeal } from '../../../src/graphql/deal/deal.type';
import { buildGatewaySchema } from '../../../src/graphql/schema';
import { type CanonicalRecord } from '../../../src/reads/canonical';

/**
 * What the nested read's CPU depends on in the GraphQL layer: record views that map only what a query
 * selects, are instances of their class (type-graphql copies any other root into a new instance on
 * every field-resolver call), and plain fields read without a per-field resolver wrapper.
 */

function record(
  object: 'contact' | 'deal',
  fields: CanonicalRecord['fields'],
): {
  record: CanonicalRecord;
  mapped: () => number;
} {
  let reads = 0;
  const date = new Date('2024-01-02T03:04:05.000Z');
  const rec: CanonicalRecord = {
    id: `${object}-id`,
    object,
    connectionId: 'conn1',
    remoteId: 'r1',
    get fields() {
      reads += 1;
      return fields;
    },
    customFields: { tier: 'gold' },
    isDeleted: false,
    deletedAt: null,
    createdAt: date,
    updatedAt: date,
    issues: [{ canonical: 'email', native: 'Email', message: 'not an email' }],
  };
  return { record: rec, mapped: () => reads };
}

describe('record views', () => {
  it('a Contact reads identity without mapping, then every field as mapped', () => {
    const { record: r, mapped } = record('contact', {
      firstName: 'Ada',
      lastName: '',
      email: 'ada@example.com',
      ownerId: 'u1',
    });
    const c = toContact(r);
    expect(c).toBeInstanceOf(Contact);
    expect([c.id, c.connectionId, c.remoteId, c.isDeleted]).toEqual(['contact-id', 'conn1', 'r1', false]);
    expect(mapped()).toBe(0);
    expect(c.firstName).toBe('Ada');
    const built = mapped();
    expect(built).toBeGreaterThan(0);
    expect({
      firstName: c.firstName,
      lastName: c.lastName,
      email: c.email,
      phone: c.phone,
      ownerId: c.ownerId,
      createdAt: c.createdAt,
      customFields: c.customFields,
      mappingIssues: c.mappingIssues,
    }).toEqual({
      firstName: 'Ada',
      lastName: null,
      email: 'ada@example.com',
      phone: null,
      ownerId: 'u1',
      createdAt: new Date('2024-01-02T03:04:05.000Z'),
      customFields: { tier: 'gold' },
      mappingIssues: [{ canonical: 'email', native: 'Email', message: 'not an email' }],
    });
    // Built once, on the first mapped field, for all of them.
    expect(mapped()).toBe(built);
  });

  it('a Deal keeps its conversions (status, probability) behind the lazy fields', () => {
    const { record: r } = record('deal', { name: 'Big', status: 'WON', probability: '40', amount: '1.50' });
    const d = toDeal(r);
    expect(d).toBeInstanceOf(Deal);
    expect([d.name, d.status, d.probability, d.amount, d.stage]).toEqual(['Big', 'WON', 40, '1.50', null]);
    const { record: odd } = record('deal', { status: 'MAYBE', probability: 'n/a' });
    expect([toDeal(odd).status, toDeal(odd).probability]).toEqual([null, null]);
  });

  it('plain fields of records, edges and pages have no resolver wrapper; field resolvers keep theirs', async () => {
    const schema = await buildGatewaySchema();
    for (const name of [
      'Contact',
      'Deal',
      'ContactEdge',
      'ContactConnection',
      'RecordPageInfo',
      'MappingIssue',
    ]) {
      const fields = (schema.getType(name) as GraphQLObjectType).getFields();
      const wrapped = Object.values(fields)
        .filter((f) => f.resolve !== undefined)
        .map((f) => f.name);
      expect([name, wrapped]).toEqual([
        name,
        name === 'Contact' ? ['deals'] : name === 'Deal' ? ['contacts'] : [],
      ]);
    }
  });
});
