import nock from '../../../support/nock';
import { API, hubspot, resetNock } from './hs-context';

/** Properties (docs/vendors/hubspot.md "Properties"): field metadata, its cache, and what reads name from it. */

afterEach(() => resetNock());

const base = { groupName: 'g', description: '', displayOrder: 0, hidden: false, formField: true };

describe('describeFields', () => {
  it('maps property types, custom flags, read-only values and enumeration options', async () => {
    const { connector } = hubspot();
    nock(API)
      .get('/crm/v3/properties/contacts')
      .reply(200, {
        results: [
          {
            ...base,
            name: 'email',
            label: 'Email',
            type: 'string',
            fieldType: 'text',
            hubspotDefined: true,
            options: [],
          },
          {
            ...base,
            name: 'lifecyclestage',
            label: 'Lifecycle Stage',
            type: 'enumeration',
            fieldType: 'radio',
            hubspotDefined: true,
            options: [
              { label: 'Lead', value: 'lead', displayOrder: 1, hidden: false },
              { label: 'Old', value: 'old', displayOrder: 2, hidden: true },
            ],
          },
          {
            ...base,
            name: 'hs_object_id',
            label: 'Record ID',
            type: 'number',
            fieldType: 'number',
            hubspotDefined: true,
            options: [],
            modificationMetadata: { readOnlyValue: true, readOnlyDefinition: true, archivable: false },
          },
          {
            ...base,
            name: 'favorite_colors',
            label: 'Colors',
            type: 'enumeration',
            fieldType: 'checkbox',
            options: [{ label: 'Red', value: 'red', hidden: false }],
          },
          {
            ...base,
            name: 'contract_value',
            label: 'Contract',
            type: 'number',
            fieldType: 'number',
            numberDisplayHint: 'currency',
            options: [],
          },
          { ...base, name: 'renewal', label: 'Renewal', type: 'date', fieldType: 'date', options: [] },
          {
            ...base,
            name: 'gone',
            label: 'Gone',
            type: 'string',
            fieldType: 'text',
            options: [],
            archived: true,
          },
        ],
      });
    const fields = await connector.describeFields('contact');
    expect(fields.map((f) => [f.name, f.type, f.custom, f.readOnly])).toEqual([
      ['email', 'email', false, false],
      ['lifecyclestage', 'picklist', false, false],
      ['hs_object_id', 'id', false, true],
      ['favorite_colors', 'multipicklist', true, false],
      ['contract_value', 'currency', true, false],
      ['renewal', 'date', true, false],
    ]);
    expect(fields[1]?.picklistValues).toEqual([{ value: 'lead', label: 'Lead' }]);

    // Reads reuse what describeFields just read: no second metadata call, every property named.
    nock(API)
      .post(
        '/crm/v3/objects/contacts/batch/read',
        (b: { properties: string[] }) =>
          b.properties.length === 6 && b.properties.includes('favorite_colors'),
      )
      .reply(200, { status: 'COMPLETE', results: [{ id: '1', properties: { email: 'a@x.io' } }] });
    expect((await connector.getRecords('contact', ['1']))[0]?.fields.email).toBe('a@x.io');
  });

  it('says which properties are unique (hasUniqueValue), which upserts key on as external ids', async () => {
    const { connector } = hubspot();
    const text = { ...base, type: 'string', fieldType: 'text', options: [] };
    nock(API)
      .get('/crm/v3/properties/contacts')
      .reply(200, {
        results: [
          { ...text, name: 'email', label: 'Email', hubspotDefined: true, hasUniqueValue: false },
          { ...text, name: 'customer_number', label: 'Customer number', hasUniqueValue: true },
          { ...text, name: 'nickname', label: 'Nickname' },
        ],
      });
    const fields = await connector.describeFields('contact');
    expect(fields.map((f) => [f.name, f.unique, f.externalId])).toEqual([
      ['email', false, false],
      ['customer_number', true, true],
      ['nickname', false, false],
    ]);
  });
});
