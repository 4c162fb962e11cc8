import { resolveFieldPath } from '../../../src/connectors/relationship-paths';
import { type NativeField, type RelationshipSupport } from '../../../src/connectors/types';
import { BadUserInputError } from '../../../src/errors';
import { type FieldMappingOverride } from '../../../src/mapping/mapper';
import { type DescribedObject, validateAgainstDescribe } from '../../../src/reads/mapping-validation';

const field = (name: string, extra: Partial<NativeField> = {}): NativeField => ({
  name,
  label: name,
  type: 'string',
  custom: false,
  required: false,
  readOnly: false,
  unique: false,
  externalId: false,
  ...extra,
});
const reference = (name: string, relationshipName: string, to: string[]): NativeField =>
  field(name, { type: 'reference', relationshipName, referenceTo: to });

/** A Salesforce-like org: Contact → Account → User, User → User (Manager), Task.What polymorphic. */
const OBJECTS: Record<string, NativeField[]> = {
  Contact: [
    field('Email', { type: 'email' }),
    reference('AccountId', 'Account', ['Account']),
    reference('WhatId', 'What', ['Account', 'Opportunity']),
    field('StageName', {
      type: 'picklist',
      picklistValues: [{ value: 'Prospecting', label: 'Prospecting' }],
    }),
    field('CreatedDate', { type: 'datetime', readOnly: true }),
  ],
  Account: [field('Name'), reference('OwnerId', 'Owner', ['User'])],
  User: [field('Email', { type: 'email' }), reference('ManagerId', 'Manager', ['User'])],
};

/** Relationship support over {@link OBJECTS}, counting describe calls per object. */
function relationships(maxPathSegments = 5): RelationshipSupport & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  return {
    maxPathSegments,
    calls,
    describeObject(name) {
      calls[name] = (calls[name] ?? 0) + 1;
      return Promise.resolve(OBJECTS[name] ?? []);
    },
  };
}

const root = { nativeObject: 'Contact', fields: OBJECTS.Contact! };

const entry = (native: string, extra: Partial<FieldMappingOverride> = {}): FieldMappingOverride =>
  ({
    canonical: 'customFields.x',
    native,
    transform: { kind: 'string' },
    source: 'CRM',
    writable: false,
    ...extra,
  }) as FieldMappingOverride;

async function problemsOf(overrides: FieldMappingOverride[], described: Partial<DescribedObject> = {}) {
  try {
    await validateAgainstDescribe(overrides, {
      object: 'contact',
      ...root,
      relationships: relationships(),
      ...described,
    });
    return [];
  } catch (err) {
    expect(err).toBeInstanceOf(BadUserInputError);
    return (err as BadUserInputError).details?.problems as string[];
  }
}

describe('resolveFieldPath', () => {
  it('follows every hop of a relationship path to the field it ends on', async () => {
    const rel = relationships();
    const resolved = await resolveFieldPath('Account.Owner.Manager.Email', root, rel);
    expect(resolved).toEqual({ ok: true, field: OBJECTS.User![0] });
    // User is described once, though two hops reach it.
    expect(rel.calls).toEqual({ Account: 1, User: 1 });
  });

  it('names the hop the object does not have, and the object it was looked up on', async () => {
    expect(await resolveFieldPath('Account.Owner.Boss.Email', root, relationships())).toEqual({
      ok: false,
      problem: 'User has no relationship "Boss" (in "Account.Owner.Boss.Email")',
    });
    expect(await resolveFieldPath('Account.Owner.Phone', root, relationships())).toEqual({
      ok: false,
      problem: 'User has no field "Phone" (in "Account.Owner.Phone")',
    });
  });

  it('refuses a path deeper than the vendor reads, before describing anything', async () => {
    const rel = relationships(5);
    const resolved = await resolveFieldPath('Account.Owner.Manager.Manager.Manager.Email', root, rel);
    expect(resolved).toEqual({
      ok: false,
      problem: expect.stringMatching(/has 6 segments; this CRM reads at most 5/) as string,
    });
    expect(rel.calls).toEqual({});
  });

  it('refuses any dotted path where the CRM has no relationships, and a polymorphic hop', async () => {
    expect(await resolveFieldPath('Account.Name', root, undefined)).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/field names are flat/) as string,
    });
    expect(await resolveFieldPath('What.Name', root, relationships())).toMatchObject({
      ok: false,
      problem: expect.stringMatching(
        /Account or Opportunity; a path can only follow a reference to one/,
      ) as string,
    });
  });

  it('matches names case-sensitively, as vendors answer, and says what was meant', async () => {
    expect(await resolveFieldPath('account.Name', root, relationships())).toEqual({
      ok: false,
      problem:
        'Contact has no relationship "account" (in "account.Name"); did you mean "Account"? (names are case-sensitive)',
    });
  });
});

describe('validateAgainstDescribe', () => {
  it('accepts fitting overrides, a valid multi-hop path and removals', async () => {
    expect(
      await problemsOf([
        entry('Email', { canonical: 'title', writable: true }),
        entry('Account.Name', { canonical: 'companyName' }),
        entry('Account.Owner.Manager.Email'),
        { canonical: 'phone', remove: true },
      ]),
    ).toEqual([]);
  });

  it('lists every problem at once, naming the override', async () => {
    expect(
      await problemsOf([
        entry('Nope__c'),
        entry('Email', { canonical: 'amount', transform: { kind: 'decimal', native: 'number' } }),
        entry('StageName', {
          canonical: 'stage',
          transform: { kind: 'picklist', values: { Prospecting: 'p', Imagined: 'i' }, unknown: 'null' },
        }),
        entry('CreatedDate', {
          canonical: 'createdAt',
          transform: { kind: 'datetime', native: 'iso' },
          writable: true,
        }),
        entry('Account.Owner.Manager.Manager.Manager.Email'),
        entry('Account.Owner.Boss.Email'),
        entry('Account.Owner.Email', { writable: true }),
        entry('Account.Owner.Email', { transform: { kind: 'boolean', native: 'boolean' } }),
      ]),
    ).toEqual([
      'overrides.0 (customFields.x): the CRM has no contact field "Nope__c"',
      'overrides.1 (amount): transform decimal cannot read Email of type email (expected integer or decimal or currency or percent or string)',
      'overrides.2 (stage): StageName has no picklist value "Imagined" (it has Prospecting)',
      'overrides.3 (createdAt): CreatedDate is read-only in the CRM, so the entry cannot be writable',
      'overrides.4 (customFields.x): "Account.Owner.Manager.Manager.Manager.Email" has 6 segments; this CRM reads at most 5 (its relationship depth limit, the field included)',
      'overrides.5 (customFields.x): User has no relationship "Boss" (in "Account.Owner.Boss.Email")',
      'overrides.6 (customFields.x): Account.Owner.Email is read through a relationship, so the entry cannot be writable',
      'overrides.7 (customFields.x): transform boolean cannot read Email of type email (expected boolean or string)',
    ]);
  });

  it('refuses relationship paths on a CRM without relationships (HubSpot)', async () => {
    expect(await problemsOf([entry('company.name')], { relationships: undefined })).toEqual([
      'overrides.0 (customFields.x): "company.name" is a relationship path, and this CRM\'s field names are flat',
    ]);
  });
});
