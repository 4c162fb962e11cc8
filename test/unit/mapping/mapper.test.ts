import { type NativeField } from '../../../src/connectors/types';
import { DEFAULT_MAPPINGS } from '../../../src/connectors/registry';
import {
  applyOverrides,
  fitToDescribe,
  fitToDescribeWithin,
  MAX_AUTO_CUSTOM_FIELDS,
  OVER_AUTO_BOUND,
  toCanonical,
  toNative,
  transformForField,
} from '../../../src/mapping/mapper';
import { readValue, writeValue } from '../../../src/mapping/transforms';
import { type ObjectMapping, DEAL_STAGE_STATUS_TABLE } from '../../../src/mapping/types';

const sf = DEFAULT_MAPPINGS.salesforce;
const hs = DEFAULT_MAPPINGS.hubspot;

describe('transforms', () => {
  it('picklist ↔ enum through an explicit table', () => {
    const t = {
      kind: 'picklist',
      values: { 'Closed Won': 'WON', Prospecting: 'NEW' },
      unknown: 'null',
    } as const;
    expect(readValue(t, 'Closed Won', {}, {})).toBe('WON');
    expect(readValue(t, 'Other', {}, {})).toBeNull();
    expect(writeValue(t, 'NEW', {})).toBe('Prospecting');
    expect(() => writeValue(t, 'LOST', {})).toThrow(/expected one of WON, NEW, got "LOST"/);
    const open = { ...t, unknown: 'passthrough' } as const;
    expect(readValue(open, 'Other', {}, {})).toBe('Other');
    expect(writeValue(open, 'Other', {})).toBe('Other');
  });

  it('multi-value ↔ string[]', () => {
    const t = { kind: 'multi', separator: ';' } as const;
    expect(readValue(t, 'a;b; c;', {}, {})).toEqual(['a', 'b', 'c']);
    expect(readValue(t, ['x', 'y'], {}, {})).toEqual(['x', 'y']);
    expect(writeValue(t, ['a', 'b'], {})).toBe('a;b');
    expect(() => writeValue(t, ['a;b'], {})).toThrow(/may not contain/);
    expect(() => writeValue(t, 'a', {})).toThrow(/list of strings/);
  });

  it('lookup through a table resolved beforehand', () => {
    const t = { kind: 'lookup', table: 'owners', missing: 'null' } as const;
    const ctx = { lookups: { owners: new Map([['005A', 'alice@example.com']]) } };
    expect(readValue(t, '005A', {}, ctx)).toBe('alice@example.com');
    expect(readValue(t, '005B', {}, ctx)).toBeNull();
    expect(writeValue(t, 'alice@example.com', ctx)).toBe('005A');
    expect(() => writeValue(t, 'bob@example.com', ctx)).toThrow(/no owners entry/);
    expect(readValue({ ...t, missing: 'passthrough' }, '005B', {}, ctx)).toBe('005B');
  });

  it('percent scales by moving the decimal point, not by float multiplication', () => {
    const hsP = { kind: 'percent', nativeScale: 1, native: 'string' } as const;
    expect(readValue(hsP, '0.07', {}, {})).toBe(7);
    expect(writeValue(hsP, 7, {})).toBe('0.07');
    expect(readValue({ kind: 'percent', nativeScale: 100, native: 'number' }, 35, {}, {})).toBe(35);
  });

  it('dates from datetimes and epoch ms, and back', () => {
    expect(readValue({ kind: 'date', native: 'datetime' }, '2026-12-31T00:00:00Z', {}, {})).toBe(
      '2026-12-31',
    );
    expect(writeValue({ kind: 'date', native: 'datetime' }, '2026-12-31', {})).toBe(
      '2026-12-31T00:00:00.000Z',
    );
    expect(writeValue({ kind: 'date', native: 'epoch_ms' }, '1970-01-02', {})).toBe('86400000');
    expect(writeValue({ kind: 'datetime', native: 'epoch_ms' }, '1970-01-01T00:00:01Z', {})).toBe('1000');
  });

  it('booleans as strings', () => {
    expect(readValue({ kind: 'boolean', native: 'string' }, 'true', {}, {})).toBe(true);
    expect(writeValue({ kind: 'boolean', native: 'string' }, false, {})).toBe('false');
  });

  it('empty strings read as null', () => {
    expect(readValue({ kind: 'decimal', native: 'string' }, '', {}, {})).toBeNull();
  });
});

describe('Salesforce defaults', () => {
  const opportunity = {
    Id: '006A',
    Name: 'Big deal',
    Amount: 125000.5,
    StageName: 'Closed Won',
    IsClosed: true,
    IsWon: true,
    CloseDate: '2026-12-31',
    Probability: 100,
    OwnerId: '005A',
    CreatedDate: '2026-01-01T10:00:00.000+0000',
    LastModifiedDate: '2026-11-27T04:00:00.000+0000',
  };

  it('reads an Opportunity as a canonical Deal', () => {
    const out = toCanonical(sf.deal, opportunity);
    expect(out.issues).toEqual([]);
    expect(out.fields).toEqual({
      name: 'Big deal',
      amount: '125000.5',
      currency: null,
      stage: 'Closed Won',
      status: 'WON',
      closeDate: '2026-12-31',
      probability: 100,
      ownerId: '005A',
      createdAt: '2026-01-01T10:00:00.000Z',
      updatedAt: '2026-11-27T04:00:00.000Z',
    });
  });

  it('derives OPEN / WON / LOST from IsClosed and IsWon', () => {
    expect(toCanonical(sf.deal, { IsClosed: false, IsWon: false }).fields.status).toBe('OPEN');
    expect(toCanonical(sf.deal, { IsClosed: true, IsWon: false }).fields.status).toBe('LOST');
    expect(toCanonical(sf.deal, { IsClosed: true, IsWon: true }).fields.status).toBe('WON');
  });

  it('reads the company through the Account relationship', () => {
    expect(toCanonical(sf.contact, { Account: { Name: 'Acme' }, LastName: 'Doe' }).fields.companyName).toBe(
      'Acme',
    );
    expect(toCanonical(sf.contact, { Account: null }).fields.companyName).toBeNull();
  });

  it('reports a bad CRM value as an issue and keeps the rest of the record', () => {
    const out = toCanonical(sf.deal, { ...opportunity, CloseDate: '31/12/2026' });
    expect(out.fields.closeDate).toBeNull();
    expect(out.fields.name).toBe('Big deal');
    expect(out.issues).toEqual([
      { canonical: 'closeDate', native: 'CloseDate', message: expect.stringContaining('31/12/2026') },
    ]);
  });

  it('writes amounts as exact JSON numbers and refuses ones a double would round', () => {
    expect(toNative(sf.deal, { fields: { name: 'X', amount: '1234.50', closeDate: '2026-12-31' } })).toEqual({
      Name: 'X',
      Amount: 1234.5,
      CloseDate: '2026-12-31',
    });
    expect(() => toNative(sf.deal, { fields: { amount: '12345678901234567.89' } })).toThrow(
      /amount: expected a decimal this CRM can store/,
    );
  });

  it('rejects writes to CRM-owned, read-only and unknown fields, all at once', () => {
    expect(() =>
      toNative(sf.deal, { fields: { stage: 'Closed Won', status: 'WON', colour: 'red' } }),
    ).toThrow(/stage: owned by the CRM.*status: read-only.*colour: not a mapped field/);
    expect(() => toNative(sf.deal, { fields: { stage: 'Closed Won' } })).toThrow(
      expect.objectContaining({ code: 'BAD_USER_INPUT' }),
    );
  });

  it('writes a CRM-owned field when writing back without enforcement', () => {
    expect(
      toNative(sf.deal, { fields: { stage: 'Closed Won' } }, {}, { enforceSourceOfTruth: false }),
    ).toEqual({
      StageName: 'Closed Won',
    });
  });

  it('keeps CurrencyIsoCode only where the org has it', () => {
    const described: NativeField[] = [
      {
        name: 'Name',
        label: 'Name',
        type: 'string',
        custom: false,
        required: true,
        readOnly: false,
        unique: false,
        externalId: false,
      },
    ];
    expect(fitToDescribe(sf.deal, described).fields.some((f) => f.native === 'CurrencyIsoCode')).toBe(false);
    const multi = [
      ...described,
      {
        name: 'CurrencyIsoCode',
        label: 'Currency',
        type: 'picklist' as const,
        custom: false,
        required: false,
        readOnly: false,
        unique: false,
        externalId: false,
      },
    ];
    expect(fitToDescribe(sf.deal, multi).fields.some((f) => f.native === 'CurrencyIsoCode')).toBe(true);
  });
});

describe('HubSpot defaults', () => {
  const deal = {
    dealname: 'Renewal',
    amount: '9007199254740993.10',
    deal_currency_code: 'EUR',
    dealstage: 'closedlost',
    closedate: '2026-12-31T00:00:00Z',
    hs_deal_stage_probability: '0.0',
    hubspot_owner_id: '77',
    createdate: '2026-01-01T00:00:00Z',
    hs_lastmodifieddate: '2026-11-27T04:00:00.123Z',
  };
  const ctx = {
    lookups: {
      [DEAL_STAGE_STATUS_TABLE]: new Map([
        ['closedlost', 'LOST'],
        ['closedwon', 'WON'],
      ]),
    },
  };

  it('reads a deal with the status from pipeline metadata and an exact amount', () => {
    expect(toCanonical(hs.deal, deal, ctx).fields).toMatchObject({
      name: 'Renewal',
      amount: '9007199254740993.1',
      currency: 'EUR',
      stage: 'closedlost',
      status: 'LOST',
      closeDate: '2026-12-31',
      probability: 0,
      updatedAt: '2026-11-27T04:00:00.123Z',
    });
  });

  it('writes amounts as strings with every digit', () => {
    expect(toNative(hs.deal, { fields: { amount: '9007199254740993.10', closeDate: '2026-12-31' } })).toEqual(
      {
        amount: '9007199254740993.1',
        closedate: '2026-12-31T00:00:00.000Z',
      },
    );
  });

  it('maps lifecyclestage as a custom field', () => {
    expect(toCanonical(hs.contact, { lifecyclestage: 'lead', email: 'a@b.c' }).customFields).toEqual({
      lifecyclestage: 'lead',
    });
  });
});

describe('custom fields and overrides', () => {
  const base: ObjectMapping = sf.contact;
  const described: NativeField[] = [
    {
      name: 'FirstName',
      label: 'First',
      type: 'string',
      custom: false,
      required: false,
      readOnly: false,
      unique: false,
      externalId: false,
    },
    {
      name: 'Score__c',
      label: 'Score',
      type: 'decimal',
      custom: true,
      required: false,
      readOnly: false,
      unique: false,
      externalId: false,
    },
    {
      name: 'Tags__c',
      label: 'Tags',
      type: 'multipicklist',
      custom: true,
      required: false,
      readOnly: false,
      unique: false,
      externalId: false,
    },
    {
      name: 'Formula__c',
      label: 'F',
      type: 'string',
      custom: true,
      required: false,
      readOnly: true,
      unique: false,
      externalId: false,
    },
  ];

  it('finds custom fields through describeFields, CRM-owned by default', () => {
    const fitted = fitToDescribe(base, described);
    const out = toCanonical(fitted, { Score__c: 12.5, Tags__c: 'vip;beta', Formula__c: 'x' });
    expect(out.customFields).toEqual({ Score__c: '12.5', Tags__c: ['vip', 'beta'], Formula__c: 'x' });
    expect(() => toNative(fitted, { customFields: { Score__c: '1' } })).toThrow(/owned by the CRM/);
  });

  it('an override hands a custom field to the app and drops another', () => {
    const fitted = fitToDescribe(base, described);
    const mapping = applyOverrides(fitted, [
      {
        canonical: 'customFields.Score__c',
        native: 'Score__c',
        transform: { kind: 'decimal', native: 'number' },
        source: 'APP',
        writable: true,
      },
      { canonical: 'title', remove: true },
    ]);
    expect(toNative(mapping, { customFields: { Score__c: '99.5' } })).toEqual({ Score__c: 99.5 });
    expect(() => toNative(mapping, { customFields: { Formula__c: 'y' } })).toThrow(/read-only/);
    expect(mapping.fields.some((f) => f.canonical === 'title')).toBe(false);
  });

  it('picks a transform per described type', () => {
    expect(transformForField({ type: 'datetime' })).toEqual({ kind: 'datetime', native: 'iso' });
    expect(transformForField({ type: 'boolean' })).toEqual({ kind: 'boolean', native: 'boolean' });
    expect(transformForField({ type: 'currency' })).toEqual({ kind: 'decimal', native: 'string' });
  });
});

describe('fields the CRM refused', () => {
  it('read as null with an issue naming the field, and the rest of the record is read', () => {
    const mapping = applyOverrides(sf.contact, [
      {
        canonical: 'customFields.tier',
        native: 'Customer_Tier__c',
        transform: { kind: 'string' },
        source: 'CRM',
        writable: false,
      },
    ]);
    const out = toCanonical(
      mapping,
      { Email: 'a@example.com', LastName: 'Lovelace' },
      {},
      {
        Customer_Tier__c:
          'Salesforce refused the field (INVALID_FIELD): Contact has no field "Customer_Tier__c"',
      },
    );
    expect(out.fields).toMatchObject({ email: 'a@example.com', lastName: 'Lovelace' });
    expect(out.customFields).toEqual({ tier: null });
    expect(out.issues).toEqual([
      {
        canonical: 'customFields.tier',
        native: 'Customer_Tier__c',
        message: 'Salesforce refused the field (INVALID_FIELD): Contact has no field "Customer_Tier__c"',
      },
    ]);
  });

  it('a vendor field named like a prototype key lands as an own key, never on the prototype', () => {
    const mapping = fitToDescribe({ ...hs.contact, fields: [] }, [
      {
        name: '__proto__',
        label: 'odd',
        type: 'string',
        custom: true,
        required: false,
        readOnly: true,
        unique: false,
        externalId: false,
      },
    ]);
    const out = toCanonical(mapping, JSON.parse('{"__proto__": "x"}') as Record<string, string>);
    expect(Object.getPrototypeOf(out.customFields)).toBe(Object.prototype);
    expect(Object.keys(out.customFields)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(out.customFields, '__proto__')?.value).toBe('x');
  });
});

describe('custom fields read by default, within a bound', () => {
  const custom = (i: number): NativeField => ({
    name: `F${String(i).padStart(3, '0')}__c`,
    label: `F${i}`,
    type: 'string',
    custom: true,
    required: false,
    readOnly: false,
    unique: false,
    externalId: false,
  });
  const autoMapped = (m: ObjectMapping): string[] =>
    m.fields.filter((f) => f.canonical.startsWith('customFields.')).map((f) => f.native);

  it(`maps the first ${MAX_AUTO_CUSTOM_FIELDS} custom fields in describe order and names the rest as skipped`, () => {
    const described = Array.from({ length: MAX_AUTO_CUSTOM_FIELDS + 3 }, (_, i) => custom(i));
    const fit = fitToDescribeWithin(sf.contact, described);
    expect(autoMapped(fit.mapping)).toEqual(described.slice(0, MAX_AUTO_CUSTOM_FIELDS).map((f) => f.name));
    expect(fit.skipped).toEqual(
      Object.fromEntries(described.slice(MAX_AUTO_CUSTOM_FIELDS).map((f) => [f.name, OVER_AUTO_BOUND])),
    );
  });

  it('fields an entry already maps do not count against the bound', () => {
    const described = [custom(0), custom(1), custom(2)];
    const mapping: ObjectMapping = {
      ...sf.contact,
      fields: [
        ...sf.contact.fields,
        {
          canonical: 'customFields.x',
          native: 'F000__c',
          transform: { kind: 'string' },
          source: 'CRM',
          writable: false,
        },
      ],
    };
    const fit = fitToDescribeWithin(mapping, described, { maxCustomFields: 1 });
    expect(autoMapped(fit.mapping)).toEqual(['F000__c', 'F001__c']);
    expect(fit.skipped).toEqual({ F002__c: OVER_AUTO_BOUND });
  });

  it('an override wins: its canonical name and a removed field are not added back', () => {
    const mapping: ObjectMapping = {
      ...sf.contact,
      fields: [
        ...sf.contact.fields,
        {
          canonical: 'customFields.F000__c',
          native: 'Email',
          transform: { kind: 'string' },
          source: 'CRM',
          writable: false,
        },
      ],
    };
    const fit = fitToDescribeWithin(mapping, [custom(0), custom(1), custom(2)], {
      removed: new Set(['customFields.F001__c']),
    });
    expect(fit.mapping.fields.filter((f) => f.canonical.startsWith('customFields.'))).toEqual([
      expect.objectContaining({ canonical: 'customFields.F000__c', native: 'Email' }),
      expect.objectContaining({ canonical: 'customFields.F002__c', native: 'F002__c' }),
    ]);
    expect(fit.skipped).toEqual({});
  });

  it('keeps optional entries whose field is absent when asked to', () => {
    const optional = sf.deal.fields.filter((f) => f.optional);
    expect(optional.length).toBeGreaterThan(0);
    const kept = fitToDescribe(sf.deal, [], { dropAbsentOptional: false });
    expect(kept.fields).toEqual(sf.deal.fields);
  });
});
