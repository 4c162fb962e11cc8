import nock from '../../../support/nock';
import { DEFAULT_MAPPINGS } from '../../../../src/mapping/defaults';
import { toCanonical } from '../../../../src/mapping/mapper';
import { DEAL_STAGE_STATUS_TABLE } from '../../../../src/mapping/types';
import { API, hubspot, mockProperties, rejection, resetNock } from './hs-context';

/** Properties (B8), pipelines (B9), associations v4 (B7) and lists (B4). */

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
});

describe('deal pipelines', () => {
  it('derives OPEN/WON/LOST from closed-stage metadata, strings or booleans', async () => {
    const { connector } = hubspot();
    nock(API)
      .get('/crm/v3/pipelines/deals')
      .reply(200, {
        results: [
          {
            id: 'default',
            label: 'Sales Pipeline',
            displayOrder: 0,
            archived: false,
            stages: [
              {
                id: 'appointmentscheduled',
                label: 'Appointment Scheduled',
                metadata: { isClosed: 'false', probability: '0.2' },
              },
              { id: 'closedwon', label: 'Closed Won', metadata: { isClosed: 'true', probability: '1.0' } },
              { id: 'closedlost', label: 'Closed Lost', metadata: { isClosed: 'true', probability: '0.0' } },
            ],
          },
          {
            id: '9001',
            label: 'Renewals',
            stages: [
              { id: '122178070', label: 'Renewed', metadata: { isClosed: true, probability: 1 } },
              { id: '122178071', label: 'Churned', metadata: { isClosed: true, probability: 0 } },
              {
                id: '122178072',
                label: 'Old stage',
                archived: true,
                metadata: { isClosed: 'false', probability: '0.5' },
              },
            ],
          },
        ],
      });
    const stages = await connector.dealStages();
    expect(stages.map((s) => [s.pipelineId, s.stageId, s.status, s.probability])).toEqual([
      ['default', 'appointmentscheduled', 'OPEN', 0.2],
      ['default', 'closedwon', 'WON', 1],
      ['default', 'closedlost', 'LOST', 0],
      ['9001', '122178070', 'WON', 1],
      ['9001', '122178071', 'LOST', 0],
    ]);
  });

  it('feeds the default mapping its stage → status table: a deal in a closed-won stage maps to WON', async () => {
    const { connector } = hubspot();
    nock(API)
      .get('/crm/v3/pipelines/deals')
      .reply(200, {
        results: [
          {
            id: 'default',
            label: 'Sales Pipeline',
            stages: [
              {
                id: 'qualifiedtobuy',
                label: 'Qualified',
                metadata: { isClosed: 'false', probability: '0.4' },
              },
              { id: 'closedwon', label: 'Closed Won', metadata: { isClosed: 'true', probability: '1.0' } },
            ],
          },
        ],
      });
    // The table the read path builds from dealStages() (reads/read-metadata.ts `mappingContext`).
    const stages = await connector.dealStages();
    const lookups = {
      [DEAL_STAGE_STATUS_TABLE]: new Map(stages.map((st) => [st.stageId, st.status])),
    };
    expect(lookups[DEAL_STAGE_STATUS_TABLE]).toEqual(
      new Map([
        ['qualifiedtobuy', 'OPEN'],
        ['closedwon', 'WON'],
      ]),
    );
    const deal = toCanonical(
      DEFAULT_MAPPINGS.hubspot.deal,
      {
        dealname: 'Big one',
        amount: '1500.00',
        dealstage: 'closedwon',
        pipeline: 'default',
        closedate: '2024-12-07T00:00:00.000Z',
        hs_deal_stage_probability: '1.0',
        deal_currency_code: 'EUR',
      },
      { lookups },
    );
    expect(deal.issues).toEqual([]);
    expect(deal.fields).toMatchObject({
      name: 'Big one',
      amount: '1500',
      stage: 'closedwon',
      status: 'WON',
      closeDate: '2024-12-07',
      probability: 100,
      currency: 'EUR',
    });
  });
});

describe('getAssociations', () => {
  it('reads v4 associations in one batch per 100 ids, follows per-record paging, and maps misses to []', async () => {
    const { connector } = hubspot();
    const ids = Array.from({ length: 150 }, (_, i) => String(i + 1));
    const batches: number[] = [];
    nock(API)
      .post('/crm/v4/associations/contacts/deals/batch/read', (b: { inputs: unknown[] }) => {
        batches.push(b.inputs.length);
        return b.inputs.length === 100;
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [
          {
            from: { id: '1' },
            to: [
              {
                toObjectId: 501,
                associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
              },
              {
                toObjectId: 501,
                associationTypes: [{ category: 'USER_DEFINED', typeId: 77, label: 'Champion' }],
              },
            ],
            paging: { next: { after: 'abc' } },
          },
          { from: { id: '2' }, to: [{ toObjectId: '502', associationTypes: [] }] },
        ],
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message: 'No associations found',
            context: { fromObjectId: ['3'] },
          },
        ],
      })
      .get('/crm/v4/objects/contacts/1/associations/deals')
      .query({ limit: '500', after: 'abc' })
      .reply(200, { results: [{ toObjectId: 503, associationTypes: [] }] })
      .post('/crm/v4/associations/contacts/deals/batch/read', (b: { inputs: unknown[] }) => {
        batches.push(b.inputs.length);
        return b.inputs.length === 50;
      })
      .reply(200, { status: 'COMPLETE', results: [{ from: { id: '150' }, to: [{ toObjectId: 9 }] }] });
    const map = await connector.getAssociations('contact', ids, 'deal');
    expect(batches).toEqual([100, 50]);
    expect(map.size).toBe(150);
    expect(map.get('1')).toEqual(['501', '503']);
    expect(map.get('2')).toEqual(['502']);
    expect(map.get('3')).toEqual([]);
    expect(map.get('150')).toEqual(['9']);
  });
});

describe('listRecords', () => {
  it('pages with `after`, then walks the archived listing when deleted records are wanted', async () => {
    const { connector } = hubspot();
    mockProperties('contacts', ['email']);
    nock(API)
      .get('/crm/v3/objects/contacts')
      .query({ limit: '2', properties: 'email' })
      .reply(200, {
        results: [
          { id: '1', properties: { email: 'a@x.io' }, archived: false },
          { id: '2', properties: { email: 'b@x.io' }, archived: false },
        ],
        paging: { next: { after: '3', link: 'https://api.hubapi.com/crm/objects/v3/contacts?limit=1' } },
      })
      .get('/crm/v3/objects/contacts')
      .query({ limit: '2', after: '3', properties: 'email' })
      .reply(200, { results: [{ id: '3', properties: { email: 'c@x.io' }, archived: false }] })
      .get('/crm/v3/objects/contacts')
      .query({ limit: '2', archived: 'true', properties: 'email' })
      .reply(200, {
        results: [
          { id: '9', properties: { email: 'z@x.io' }, archived: true, archivedAt: '2026-01-01T00:00:00Z' },
        ],
      });
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await connector.listRecords('contact', { pageSize: 2, cursor, includeDeleted: true });
      ids.push(...page.items.map((r) => `${r.remoteId}${r.isDeleted ? '(deleted)' : ''}`));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toEqual(['1', '2', '3', '9(deleted)']);
  });

  it('lists ids only and reads records by batch when the property list would make the URL too long', async () => {
    const { connector } = hubspot();
    const many = Array.from({ length: 300 }, (_, i) => `a_rather_long_property_name_${i}`);
    mockProperties('deals', many);
    nock(API)
      .get('/crm/v3/objects/deals')
      .query({ limit: '100', properties: 'hs_object_id' })
      .reply(200, { results: [{ id: '5', properties: { hs_object_id: '5' } }] })
      .post('/crm/v3/objects/deals/batch/read', (b: { properties: string[] }) => b.properties.length === 300)
      .reply(200, {
        status: 'COMPLETE',
        results: [{ id: '5', properties: { a_rather_long_property_name_0: 'x' } }],
      });
    const page = await connector.listRecords('deal', { pageSize: 500 });
    expect(page.items.map((r) => r.fields)).toEqual([{ a_rather_long_property_name_0: 'x' }]);
    expect(page.nextCursor).toBeNull();
  });
});

describe('identify', () => {
  const metadata = {
    token: 'tok-1',
    user: 'dev@example.com',
    hub_domain: 'demo.hubspot.com',
    scopes: ['oauth', 'crm.objects.contacts.read'],
    hub_id: 62515,
    app_id: 54321,
    expires_in: 1754,
    user_id: 123,
    token_type: 'access',
  };

  it('learns the portal and app of an OAuth token from the access-token metadata, without credentials', async () => {
    const { connector } = hubspot({ portalId: null });
    nock(API, { badheaders: ['authorization'] })
      .get('/oauth/v1/access-tokens/tok-1')
      .reply(200, metadata);
    expect(await connector.identify('oauth2_code')).toEqual({ accountId: '62515', appId: '54321' });
  });

  it('learns the portal of a private-app token from the account details (the metadata endpoint knows only OAuth tokens)', async () => {
    const { connector } = hubspot({ portalId: null });
    nock(API).get('/account-info/v3/details').matchHeader('authorization', 'Bearer tok-1').reply(200, {
      portalId: 62515,
      accountType: 'STANDARD',
      timeZone: 'US/Eastern',
      companyCurrency: 'USD',
      additionalCurrencies: [],
      utcOffset: '-05:00',
      utcOffsetMilliseconds: -18000000,
      uiDomain: 'app.hubspot.com',
      dataHostingLocation: 'na1',
    });
    expect(await connector.identify('static_token')).toEqual({ accountId: '62515', appId: null });
  });

  it('fails typed when HubSpot names no portal', async () => {
    const { connector } = hubspot({ portalId: null });
    nock(API)
      .get('/oauth/v1/access-tokens/tok-1')
      .reply(200, { ...metadata, hub_id: undefined })
      .get('/account-info/v3/details')
      .reply(200, { accountType: 'STANDARD' });
    expect(await rejection(connector.identify('oauth2_code'))).toMatchObject({
      code: 'UPSTREAM',
      crm: 'hubspot',
      message: 'HubSpot access-token metadata has no hub_id',
    });
    expect(await rejection(connector.identify('static_token'))).toMatchObject({
      code: 'UPSTREAM',
      message: 'HubSpot account details have no portalId',
    });
  });
});
