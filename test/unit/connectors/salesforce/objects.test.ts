import { toNativeRecord } from '../../../../src/connectors/salesforce/mappers';
import { AUDIT_FIELDS, parseSalesforceSettings } from '../../../../src/connectors/salesforce/objects';
import { ConnectorSettingsError } from '../../../../src/connectors/settings-error';
import { salesforceMapping } from '../../../../src/connectors/salesforce/default-mapping';
import { toCanonical } from '../../../../src/mapping/mapper';

/** The connector reads what the default mapping maps, and the two meet on real Salesforce records. */

function nativeFieldsOf(obj: 'contact' | 'deal', optional: boolean): string[] {
  return salesforceMapping[obj].fields
    .filter((e) => (e.optional ?? false) === optional)
    .flatMap((e) =>
      e.transform.kind === 'status_from_flags' ? [e.transform.closedField, e.transform.wonField] : [e.native],
    );
}

describe('the Salesforce read list and the default mapping', () => {
  it.each(['contact', 'deal'] as const)('selects every field the %s mapping reads', (obj) => {
    const plain = parseSalesforceSettings({}).fields[obj];
    expect(plain).toEqual(expect.arrayContaining(nativeFieldsOf(obj, false)));
    // Optional fields (CurrencyIsoCode) exist only in some orgs: selected only when the org has them.
    for (const f of nativeFieldsOf(obj, true)) expect(plain).not.toContain(f);
    const multi = parseSalesforceSettings({ multiCurrency: true }).fields[obj];
    expect(multi).toEqual(expect.arrayContaining(nativeFieldsOf(obj, true)));
  });

  it('selects only the audit fields of an object read for identity alone', () => {
    const s = parseSalesforceSettings(
      { fields: { contact: ['Region__c'] }, multiCurrency: true },
      { contact: ['Tier__c'] },
      ['contact'],
    );
    expect(s.fields.contact).toEqual([...AUDIT_FIELDS]);
    // The other object is read in full, settings and read fields included.
    expect(s.fields.deal).toEqual(expect.arrayContaining(nativeFieldsOf('deal', true)));
    // A bad settings field is refused all the same.
    expect(() => parseSalesforceSettings({ fields: { contact: ['x;y'] } }, undefined, ['contact'])).toThrow(
      ConnectorSettingsError,
    );
  });

  it('maps a closed-won opportunity and a contact with its account name', () => {
    const deal = toNativeRecord({
      attributes: { type: 'Opportunity' },
      Id: '006xx0000000001AAA',
      Name: 'Big deal',
      Amount: 1234.5,
      StageName: 'Closed Won',
      IsClosed: true,
      IsWon: true,
      CloseDate: '2024-06-30',
      Probability: 100,
      OwnerId: '005xx000001Sv6eAAC',
      CreatedDate: '2024-05-20T20:49:32.000+0000',
      LastModifiedDate: '2024-05-21T08:00:00.000+0000',
    });
    const canonicalDeal = toCanonical(salesforceMapping.deal, deal.fields);
    expect(canonicalDeal.issues).toEqual([]);
    expect(canonicalDeal.fields).toMatchObject({
      name: 'Big deal',
      amount: '1234.5',
      stage: 'Closed Won',
      status: 'WON',
      closeDate: '2024-06-30',
      probability: 100,
      updatedAt: '2024-05-21T08:00:00.000Z',
    });

    const contact = toNativeRecord({
      attributes: { type: 'Contact' },
      Id: '003xx0000000001AAA',
      FirstName: 'Ada',
      LastName: 'Lovelace',
      Email: 'ada@example.com',
      Account: { attributes: { type: 'Account' }, Name: 'Analytical Engines' },
    });
    expect(toCanonical(salesforceMapping.contact, contact.fields).fields).toMatchObject({
      firstName: 'Ada',
      lastName: 'Lovelace',
      email: 'ada@example.com',
      companyName: 'Analytical Engines',
    });
  });
});

describe('parseSalesforceSettings', () => {
  it('does not select a field twice when the connection repeats a standard one', () => {
    const s = parseSalesforceSettings({ fields: { contact: ['email', 'Region__c'] } });
    expect(s.fields.contact.filter((f) => f.toLowerCase() === 'email')).toEqual(['Email']);
    expect(s.fields.contact).toContain('Region__c');
    expect(s.bulkThreshold).toBe(2000);
  });

  it('reads the fields the read path asks for besides the settings, once each', () => {
    const s = parseSalesforceSettings(
      { fields: { contact: ['Region__c'] } },
      { contact: ['Region__c', 'Tier__c'], deal: ['Score__c'] },
    );
    expect(s.fields.contact.filter((f) => f.endsWith('__c'))).toEqual(['Region__c', 'Tier__c']);
    expect(s.fields.deal).toContain('Score__c');
  });

  it('refuses settings of the wrong shape, naming the path, as a ConnectorSettingsError', () => {
    expect(() => parseSalesforceSettings({ bulkThreshold: -1 })).toThrow(ConnectorSettingsError);
    expect(() => parseSalesforceSettings({ bulkThreshold: -1 })).toThrow(
      /Salesforce connection settings: .*bulkThreshold/s,
    );
  });
});
