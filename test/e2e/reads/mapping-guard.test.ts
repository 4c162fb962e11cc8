import {
  ContactByIdDocument,
  CreateConnectionDocument,
  ContactPageDocument,
  ContactsByRemoteIdsDocument,
  FieldMappingProblemsDocument,
  MappedContactsByRemoteIdsDocument,
  MappedContactsDocument,
  UpdateFieldMappingDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { READ_CRMS, type ReadStack, type ReadTenant, startReadStack } from '../../support/read-stack';
import { testStoreUrls, uniqueName } from '../../support/stores';

/**
 * What a client can send that the CRM would refuse never reaches the CRM: a field mapping is checked
 * hop by hop against the CRM's metadata before it is saved, over-long arguments are refused at the
 * gateway, and a mapped field the CRM stops having later does not break reads.
 */

jest.setTimeout(60_000);

let stack: ReadStack;
let t: ReadTenant;

beforeAll(async () => {
  stack = await startReadStack({
    ...testStoreUrls(),
    name: uniqueName('mapping-guard'),
    orgs: {
      salesforce: [{ id: 'default', seed: 11, counts: { Contact: 20, Opportunity: 5, Account: 5 } }],
      hubspot: [{ id: 'default', seed: 11, counts: { contacts: 5, deals: 2 } }],
    },
  });
  t = await stack.tenant('guard');
});
afterAll(() => stack?.close());

const override = (canonical: string, native: string, extra: Record<string, unknown> = {}) => ({
  canonical,
  native,
  transform: { kind: 'string' },
  source: 'CRM',
  writable: false,
  ...extra,
});

const vendorCalls = (): number => READ_CRMS.reduce((n, crm) => n + stack.calls(crm), 0);

describe('updateFieldMapping', () => {
  it.each([
    [
      'a relationship hop the CRM does not have',
      override('customFields.boss', 'Account.Owner.Boss.Email'),
      /User has no relationship "Boss"/,
    ],
    [
      'a path deeper than SOQL reads',
      override('customFields.top', 'Account.Owner.Manager.Manager.Manager.Email'),
      /has 6 segments; this CRM reads at most 5/,
    ],
    [
      'a field the related object does not have',
      override('customFields.x', 'Account.Owner.Shoe_Size__c'),
      /User has no field "Shoe_Size__c"/,
    ],
    [
      'customFields.__proto__',
      override('customFields.__proto__', 'Email'),
      /expected a name without __proto__/,
    ],
    ['customFields.constructor', override('customFields.constructor', 'Email'), /expected a name without/],
    ['customFields.prototype', override('customFields.prototype', 'Email'), /expected a name without/],
    [
      'a __proto__ key inside an override',
      JSON.parse(
        '{"canonical":"stage","native":"Email","source":"CRM","writable":false,' +
          '"transform":{"kind":"picklist","unknown":"null","values":{"__proto__":{"isAdmin":"yes"}}}}',
      ) as Record<string, unknown>,
      /overrides\.1\.transform\.values\.__proto__: the key "__proto__" is not allowed/,
    ],
  ])('refuses %s with BAD_USER_INPUT and saves nothing', async (_name, bad, message) => {
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId: t.connections.salesforce,
        object: 'CONTACT',
        // A valid override beside the bad one: nothing of the update may be saved.
        overrides: [override('customFields.tier', 'Customer_Tier__c'), bad],
      },
      { key: t.key },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(message);
    const view = await request(
      stack.url,
      FieldMappingProblemsDocument,
      { connectionId: t.connections.salesforce, object: 'CONTACT' },
      { key: t.key },
    );
    expect(view.body.data!.fieldMapping).toEqual({ version: 0, overrides: [], problems: [] });
  });

  it('refuses a dotted path on a CRM whose field names are flat (HubSpot)', async () => {
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId: t.connections.hubspot,
        object: 'CONTACT',
        overrides: [override('customFields.company', 'associatedcompanyid.name')],
      },
      { key: t.key },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(
      /is a relationship path, and this CRM's field names are flat/,
    );
  });

  it('accepts a multi-hop path the CRM has, and reads it', async () => {
    const u = await stack.tenant('hops');
    const connectionId = u.connections.salesforce;
    const res = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [override('customFields.ownerManagerEmail', 'Account.Owner.Manager.Email')],
      },
      { key: u.key },
    );
    expect(res.body.errors).toBeUndefined();
    const read = await request(
      stack.url,
      MappedContactsDocument,
      { connectionId, first: 20 },
      { key: u.key },
    );
    expect(read.body.errors).toBeUndefined();
    const emails = read.body.data!.contacts!.nodes.map((c) => c.customFields.ownerManagerEmail);
    // Seeded users but the first two report to the second; accounts are owned by any of them.
    expect(emails.every((e) => e === null || (typeof e === 'string' && e.endsWith('@example.com')))).toBe(
      true,
    );
    expect(emails.some((e) => typeof e === 'string')).toBe(true);
  });
});

describe.each(READ_CRMS)('argument bounds on %s', (crm) => {
  const email200k = `${'a'.repeat(200_000)}@example.com`;
  it.each([
    [
      'a 200 KB email filter',
      { filter: { email: email200k } },
      /filter\.email: .*254.*a string of 200012 characters/,
    ],
    ['a 101-character name prefix', { filter: { namePrefix: 'x'.repeat(101) } }, /filter\.namePrefix: .*100/],
    ['a 3,000-character cursor', { after: 'c'.repeat(3000) }, /after: .*2048/],
    ['a 200-character connection id', { connectionId: 'i'.repeat(200) }, /connectionId: .*128/],
  ])('%s is BAD_USER_INPUT with no vendor call', async (_name, args, message) => {
    stack.clearLogs();
    const res = await request(
      stack.url,
      ContactPageDocument,
      { connectionId: t.connections[crm], first: 5, ...args },
      { key: t.key },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(message);
    expect(vendorCalls()).toBe(0);
  });

  it('an over-long remote id, and too many, are BAD_USER_INPUT with no vendor call', async () => {
    stack.clearLogs();
    for (const remoteIds of [['0'.repeat(129)], Array.from({ length: 501 }, (_, i) => `003${i}`)]) {
      const res = await request(
        stack.url,
        ContactsByRemoteIdsDocument,
        { connectionId: t.connections[crm], remoteIds },
        { key: t.key },
      );
      expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(res.body.errors?.[0]?.message).toMatch(/remoteIds/);
    }
    expect(vendorCalls()).toBe(0);
  });

  it('an over-long record id is BAD_USER_INPUT with no vendor call', async () => {
    stack.clearLogs();
    const id = Buffer.from(`contact:${t.connections[crm]}:${'1'.repeat(200_000)}`).toString('base64url');
    const res = await request(stack.url, ContactByIdDocument, { id }, { key: t.key });
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(vendorCalls()).toBe(0);
  });
});

describe('createConnection bounds', () => {
  it.each([
    [
      'settings over 16 KB',
      { settings: { fields: { contact: Array.from({ length: 2000 }, (_, i) => `F${i}__c`) } } },
      /settings: settings must be at most 16384 bytes of JSON/,
    ],
    [
      'vendorUrls over 4 KB',
      { vendorUrls: { api: `https://x.example.com/${'p'.repeat(5000)}` } },
      /vendorUrls: vendorUrls must be at most 4096 bytes/,
    ],
    ['a 1,000-character CRM kind', { crm: 'c'.repeat(1000) }, /crm: crm must be shorter than or equal to 32/],
  ])('%s is BAD_USER_INPUT with no vendor call', async (_name, extra, message) => {
    stack.clearLogs();
    const res = await request(
      stack.url,
      CreateConnectionDocument,
      { input: { crm: 'hubspot', displayName: 'too big', credentials: { accessToken: 'x' }, ...extra } },
      { key: t.key },
    );
    expect(res.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(res.body.errors?.[0]?.message).toMatch(message);
    expect(vendorCalls()).toBe(0);
  });
});

/** What an admin deleting a custom field does to the sandbox org: describe and SOQL stop knowing it. */
function deleteSalesforceField(object: string, field: string): void {
  interface SfObjectShape {
    fields: { name: string }[];
    fieldMap: Map<string, unknown>;
  }
  const state = stack.sandboxes.sandboxes.salesforce!.server.org('default').state as {
    store: { schema: ReadonlyMap<string, SfObjectShape> };
  };
  const obj = state.store.schema.get(object)!;
  const fields = obj.fields.filter((f) => f.name !== field);
  state.store.schema = new Map([
    ...state.store.schema,
    [object, { ...obj, fields, fieldMap: new Map(fields.map((f) => [f.name, f])) }],
  ]);
}

// Last: it deletes a field from the shared sandbox org.
describe('a mapped field deleted in the CRM afterwards', () => {
  it('does not break contact reads: the field reads null, each record says why, the mapping reports it', async () => {
    const u = await stack.tenant('deleted-field');
    const connectionId = u.connections.salesforce;
    const saved = await request(
      stack.url,
      UpdateFieldMappingDocument,
      {
        connectionId,
        object: 'CONTACT',
        overrides: [
          override('customFields.tier', 'Customer_Tier__c'),
          override('customFields.ownerEmail', 'Account.Owner.Email'),
        ],
      },
      { key: u.key },
    );
    expect(saved.body.errors).toBeUndefined();
    const before = await request(
      stack.url,
      MappedContactsDocument,
      { connectionId, first: 20 },
      { key: u.key },
    );
    expect(before.body.errors).toBeUndefined();
    expect(before.body.data!.contacts!.nodes.some((c) => typeof c.customFields.tier === 'string')).toBe(true);

    deleteSalesforceField('Contact', 'Customer_Tier__c');

    const after = await request(
      stack.url,
      MappedContactsDocument,
      { connectionId, first: 20 },
      { key: u.key },
    );
    expect(after.body.errors).toBeUndefined();
    const nodes = after.body.data!.contacts!.nodes;
    expect(nodes.map((c) => c.remoteId)).toEqual(before.body.data!.contacts!.nodes.map((c) => c.remoteId));
    for (const [i, c] of nodes.entries()) {
      const was = before.body.data!.contacts!.nodes[i]!;
      expect(c.email).toBe(was.email);
      // The custom fields read by default (NPS_Score__c…) are untouched by the deletion.
      expect(c.customFields).toEqual({ ...was.customFields, tier: null });
      expect(c.mappingIssues).toEqual([
        {
          canonical: 'customFields.tier',
          native: 'Customer_Tier__c',
          message: expect.stringMatching(/INVALID_FIELD.*Contact has no field "Customer_Tier__c"/) as string,
        },
      ]);
    }

    // Learned once per connection: the next reads select the field no more, in one call each.
    stack.clearLogs();
    const byIds = await request(
      stack.url,
      MappedContactsByRemoteIdsDocument,
      { connectionId, remoteIds: [nodes[0]!.remoteId] },
      { key: u.key },
    );
    expect(byIds.body.errors).toBeUndefined();
    expect(byIds.body.data!.contactsByRemoteIds![0]!.customFields.tier).toBeNull();
    expect(stack.calls('salesforce')).toBe(1);

    const problems = await request(
      stack.url,
      FieldMappingProblemsDocument,
      { connectionId, object: 'CONTACT' },
      { key: u.key },
    );
    expect(problems.body.data!.fieldMapping.problems).toEqual([
      'overrides.0 (customFields.tier): the CRM has no contact field "Customer_Tier__c"',
    ]);
  });
});
