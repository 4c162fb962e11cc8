import { CrmUpstreamError } from '../../../../src/errors';
import { DATA, forgetOrgMetadata, salesforce, sf, sfId } from './sf-context';

beforeEach(forgetOrgMetadata);

/** A describe `fields[]` entry with what the connector reads. */
const field = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  label: name,
  type: 'string',
  custom: name.endsWith('__c'),
  nillable: true,
  createable: true,
  updateable: true,
  ...extra,
});

/** Contact as the org describes it after an admin deleted Tier__c: the standard fields only. */
const CONTACT_FIELDS = [
  field('Id', { type: 'id', createable: false, updateable: false }),
  ...['FirstName', 'LastName', 'Email', 'Phone', 'Title'].map((n) => field(n)),
  field('AccountId', { type: 'reference', referenceTo: ['Account'], relationshipName: 'Account' }),
  field('OwnerId', { type: 'reference', referenceTo: ['User'], relationshipName: 'Owner' }),
];

const row = (n: number) => ({
  attributes: { type: 'Contact' },
  Id: sfId('003', n),
  IsDeleted: false,
  LastName: `Last${n}`,
  Account: { attributes: { type: 'Account' }, Name: 'Acme' },
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:32.000+0000',
});

const invalidField = [
  {
    message:
      "\nSELECT Id, Tier__c FROM Contact\n          ^\nERROR at Row:1:Column:11\nNo such column 'Tier__c' on entity 'Contact'.",
    errorCode: 'INVALID_FIELD',
  },
];

/** Answers the org's describes of Contact and Account (what the path check walks). */
function describes(contactFields: unknown[] = CONTACT_FIELDS): void {
  sf().get(`${DATA}/sobjects/Contact/describe`).reply(200, { name: 'Contact', fields: contactFields });
  sf()
    .get(`${DATA}/sobjects/Account/describe`)
    .reply(200, { name: 'Account', fields: [field('Name')] });
}

describe('a selected field the org refuses (INVALID_FIELD)', () => {
  it('is dropped and the read runs once more; the records say which field, and later reads skip it', async () => {
    const { connector } = salesforce({ settings: { fields: { contact: ['Tier__c'] } } });
    const soql: string[] = [];
    sf()
      .get(`${DATA}/query`)
      .query((q) => (soql.push(String(q.q)), true))
      .reply(400, invalidField);
    describes();
    sf()
      .get(`${DATA}/query`)
      .times(2)
      .query((q) => (soql.push(String(q.q)), true))
      .reply(200, { totalSize: 2, done: true, records: [row(1), row(2)] });

    const page = await connector.listRecords('contact', { pageSize: 10 });
    expect(page.items.map((r) => r.remoteId)).toEqual([sfId('003', 1), sfId('003', 2)]);
    for (const r of page.items) {
      expect(r.fields.LastName).toMatch(/^Last/);
      expect(r.refusedFields).toEqual({
        Tier__c: 'Salesforce refused the field (INVALID_FIELD): Contact has no field "Tier__c"',
      });
    }
    expect(soql[0]).toContain('Tier__c');
    expect(soql[1]).not.toContain('Tier__c');

    // Learned for the connection: no failing query first, no describe (nock would refuse one).
    const again = await connector.listRecords('contact', { pageSize: 10 });
    expect(again.items).toHaveLength(2);
    expect(soql).toHaveLength(3);
    expect(soql[2]).not.toContain('Tier__c');
  });

  it('that no selected field explains is the caller’s error, unchanged, and nothing is retried', async () => {
    const { connector } = salesforce({ settings: { fields: { contact: ['Tier__c'] } } });
    sf().get(`${DATA}/query`).query(true).reply(400, invalidField);
    describes([...CONTACT_FIELDS, field('Tier__c')]);

    const read = connector.listRecords('contact', { pageSize: 10 });
    // A query Salesforce refuses is UPSTREAM (docs/vendors/salesforce.md, "Errors of a request we built").
    await expect(read).rejects.toBeInstanceOf(CrmUpstreamError);
    await expect(read).rejects.toMatchObject({ vendorCode: 'INVALID_FIELD' });
  });
});
