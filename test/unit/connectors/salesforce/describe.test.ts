import { DATA, forgetOrgMetadata, salesforce, sf } from './sf-context';

/** Field metadata from describe, unique and external-id flags included. */

beforeEach(forgetOrgMetadata);

describe('Salesforce describeFields', () => {
  it('maps describe fields to native field metadata, custom fields and picklists included', async () => {
    const { connector } = salesforce();
    sf()
      .get(`${DATA}/sobjects/Contact/describe`)
      .reply(200, {
        name: 'Contact',
        fields: [
          {
            name: 'Id',
            label: 'Contact ID',
            type: 'id',
            custom: false,
            nillable: false,
            createable: false,
            updateable: false,
            defaultedOnCreate: true,
          },
          {
            name: 'LastName',
            label: 'Last Name',
            type: 'string',
            custom: false,
            nillable: false,
            createable: true,
            updateable: true,
            defaultedOnCreate: false,
          },
          {
            name: 'Salutation',
            label: 'Salutation',
            type: 'picklist',
            custom: false,
            nillable: true,
            createable: true,
            updateable: true,
            picklistValues: [
              { active: true, defaultValue: false, label: 'Mr.', validFor: null, value: 'Mr.' },
              { active: false, defaultValue: false, label: 'Old', validFor: null, value: 'Old' },
            ],
          },
          {
            name: 'Region__c',
            label: 'Region',
            type: 'textarea',
            custom: true,
            nillable: true,
            createable: true,
            updateable: true,
          },
          {
            name: 'AccountId',
            label: 'Account ID',
            type: 'reference',
            custom: false,
            nillable: true,
            createable: true,
            updateable: true,
            referenceTo: ['Account'],
          },
        ],
      });
    const fields = await connector.describeFields('contact');
    expect(fields).toEqual([
      {
        name: 'Id',
        label: 'Contact ID',
        type: 'id',
        custom: false,
        required: false,
        readOnly: true,
        unique: false,
        externalId: false,
      },
      {
        name: 'LastName',
        label: 'Last Name',
        type: 'string',
        custom: false,
        required: true,
        readOnly: false,
        unique: false,
        externalId: false,
      },
      {
        name: 'Salutation',
        label: 'Salutation',
        type: 'picklist',
        custom: false,
        required: false,
        readOnly: false,
        unique: false,
        externalId: false,
        picklistValues: [{ value: 'Mr.', label: 'Mr.' }],
      },
      {
        name: 'Region__c',
        label: 'Region',
        type: 'text',
        custom: true,
        required: false,
        readOnly: false,
        unique: false,
        externalId: false,
      },
      {
        name: 'AccountId',
        label: 'Account ID',
        type: 'reference',
        custom: false,
        required: false,
        readOnly: false,
        unique: false,
        externalId: false,
        referenceTo: ['Account'],
      },
    ]);
  });

  it('says which fields are unique and which are external ids, as describe flags them', async () => {
    const { connector } = salesforce();
    const text = { type: 'string', nillable: true, createable: true, updateable: true };
    sf()
      .get(`${DATA}/sobjects/Contact/describe`)
      .reply(200, {
        name: 'Contact',
        fields: [
          { ...text, name: 'Email', label: 'Email', custom: false, unique: false, externalId: false },
          // An external id need not be unique; a unique field need not be an external id.
          { ...text, name: 'Customer_Number__c', label: 'No.', custom: true, unique: true, externalId: true },
          { ...text, name: 'Legacy_Id__c', label: 'Legacy', custom: true, unique: false, externalId: true },
          { ...text, name: 'Badge__c', label: 'Badge', custom: true, unique: true, externalId: false },
        ],
      });
    const fields = await connector.describeFields('contact');
    expect(fields.map((f) => [f.name, f.unique, f.externalId])).toEqual([
      ['Email', false, false],
      ['Customer_Number__c', true, true],
      ['Legacy_Id__c', false, true],
      ['Badge__c', true, false],
    ]);
  });
});
