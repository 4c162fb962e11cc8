import nock from '../../../support/nock';
import { API, hubspot, mockProperties, resetNock, BATCH_ENVELOPE, hsObject } from './hs-context';

/** Batch read (docs/vendors/hubspot.md "Batch endpoints") and lists (docs/vendors/hubspot.md "CRM objects") against the documented HubSpot responses. */

afterEach(() => resetNock());

describe('getRecords', () => {
  it('reads ≤ 100 ids in one batch/read naming every property, null for the ids a 207 reports missing', async () => {
    const { connector } = hubspot();
    mockProperties('contacts', ['email', 'firstname', 'my_custom']);
    let sent: Record<string, unknown> = {};
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read', (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(207, {
        status: 'COMPLETE',
        results: [hsObject('2', { email: 'b@x.io' }), hsObject('1', { email: 'a@x.io', my_custom: null })],
        numErrors: 1,
        errors: [
          {
            status: 'error',
            category: 'OBJECT_NOT_FOUND',
            message:
              'Could not get some CONTACT objects, they may be deleted or not exist. Check that ids are valid.',
            context: { ids: ['999'] },
            links: {},
            errors: [],
          },
        ],
        ...BATCH_ENVELOPE,
      });
    const records = await connector.getRecords('contact', ['1', '999', '2']);
    expect(sent).toEqual({
      properties: ['email', 'firstname', 'my_custom'],
      propertiesWithHistory: [],
      inputs: [{ id: '1' }, { id: '999' }, { id: '2' }],
    });
    expect(records.map((r) => r?.remoteId ?? null)).toEqual(['1', null, '2']);
    expect(records[0]).toEqual({
      remoteId: '1',
      fields: { hs_object_id: '1', email: 'a@x.io', my_custom: null },
      updatedAt: '2024-02-01T00:00:00.000Z',
      isDeleted: false,
    });
  });

  it('also names the mapped fields the read path passes (settings.fields), e.g. a property created a moment ago', async () => {
    const { connector } = hubspot({
      settings: { fields: { contact: ['email', 'brand_new_prop', 'company.name'] } },
    });
    mockProperties('contacts', ['email', 'firstname']);
    nock(API)
      .post('/crm/v3/objects/contacts/batch/read', {
        properties: ['email', 'firstname', 'brand_new_prop'],
        propertiesWithHistory: [],
        inputs: [{ id: '1' }],
      })
      .reply(200, {
        status: 'COMPLETE',
        results: [hsObject('1', { brand_new_prop: 'x' })],
        ...BATCH_ENVELOPE,
      });
    expect((await connector.getRecords('contact', ['1']))[0]?.fields.brand_new_prop).toBe('x');
  });

  it('refuses more ids than one batch read takes, naming both numbers', async () => {
    const { connector } = hubspot();
    const ids = Array.from({ length: 101 }, (_, i) => String(i));
    await expect(connector.getRecords('deal', ids)).rejects.toThrow(/at most 100 ids.*got 101/);
  });

  it('refreshes once on an expired OAuth token (401 EXPIRED_AUTHENTICATION) and retries with the new one', async () => {
    const { connector, tokens } = hubspot();
    mockProperties('deals', ['dealname']);
    nock(API)
      .post('/crm/v3/objects/deals/batch/read')
      .matchHeader('authorization', 'Bearer tok-1')
      .reply(401, {
        status: 'error',
        message: 'The OAuth token used to make this call expired 75 second(s) ago.',
        correlationId: 'c-1',
        category: 'EXPIRED_AUTHENTICATION',
        context: { 'expire time': ['2022-06-21T10:37:52.040Z'] },
      })
      .post('/crm/v3/objects/deals/batch/read')
      .matchHeader('authorization', 'Bearer tok-2')
      .reply(200, { status: 'COMPLETE', results: [hsObject('7', { dealname: 'Big' })], ...BATCH_ENVELOPE });
    const [deal] = await connector.getRecords('deal', ['7']);
    expect(deal?.fields.dealname).toBe('Big');
    expect(tokens.refreshes).toEqual(['tok-1']);
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
