// Associations v4 (docs/vendors/hubspot.md "Associations"), properties (docs/vendors/hubspot.md "Properties") and pipelines (docs/vendors/hubspot.md "Pipelines").
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { liveIds, startHubSpot, type Caller } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let call: Caller;

beforeEach(async () => {
  ({ server, live, call } = await startHubSpot({ contacts: 30, deals: 15 }));
});
afterEach(async () => {
  await live.close();
});

describe('associations v4 (B7)', () => {
  it('batch-reads deal ids per contact with typeId 4; unknown ids are 207 errors', async () => {
    const store = server.org().state.store;
    const [a, b] = liveIds(server, 'contacts');
    const res = await call('POST', '/crm/v4/associations/contacts/deals/batch/read', {
      inputs: [{ id: a }, { id: b }, { id: '999999' }],
    });
    expect(res.status).toBe(207);
    expect(res.json.results).toEqual(
      [a, b].map((id) => ({
        from: { id },
        to: store.associated('contacts', id as string).map((d) => ({
          toObjectId: Number(d),
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
        })),
      })),
    );
    expect(res.json.errors[0]).toMatchObject({ category: 'OBJECT_NOT_FOUND', context: { ids: ['999999'] } });
  });

  it('batch-creates deal → contact associations (typeId 3) with 201 and validates the type', async () => {
    const deal = liveIds(server, 'deals')[0] as string;
    const contact = liveIds(server, 'contacts').find(
      (c) => !server.org().state.store.associated('contacts', c).includes(deal),
    ) as string;
    const res = await call('POST', '/crm/v4/associations/deal/contact/batch/create', {
      inputs: [
        {
          from: { id: deal },
          to: { id: contact },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 3 }],
        },
      ],
    });
    expect(res.status).toBe(201);
    expect(res.json.results[0]).toEqual({
      fromObjectTypeId: '0-3',
      fromObjectId: Number(deal),
      toObjectTypeId: '0-1',
      toObjectId: Number(contact),
      labels: [],
    });
    expect(server.org().state.store.associated('contacts', contact)).toContain(deal);
    const wrong = await call('POST', '/crm/v4/associations/deals/contacts/batch/create', {
      inputs: [
        {
          from: { id: deal },
          to: { id: contact },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 }],
        },
      ],
    });
    expect(wrong.status).toBe(400);
  });

  it('associates one pair by default (200) or labelled (201), lists and removes it (204)', async () => {
    const contact = liveIds(server, 'contacts')[0] as string;
    const deal = liveIds(server, 'deals')[1] as string;
    const def = await call('PUT', `/crm/v4/objects/contact/${contact}/associations/default/deal/${deal}`);
    expect(def.status).toBe(200);
    expect(def.json).toMatchObject({ status: 'COMPLETE' });
    const labelled = await call('PUT', `/crm/v4/objects/contacts/${contact}/associations/deals/${deal}`, [
      { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 4 },
    ]);
    expect(labelled.status).toBe(201);
    const list = await call('GET', `/crm/v4/objects/contacts/${contact}/associations/deals`);
    expect(list.json.results).toContainEqual({
      toObjectId: Number(deal),
      associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 4, label: null }],
    });
    expect(
      (await call('DELETE', `/crm/v4/objects/contacts/${contact}/associations/deals/${deal}`)).status,
    ).toBe(204);
    expect(server.org().state.store.associated('contacts', contact)).not.toContain(deal);
    const labels = await call('GET', '/crm/v4/associations/0-3/0-1/labels');
    expect(labels.json.results).toEqual([{ category: 'HUBSPOT_DEFINED', typeId: 3, label: null }]);
  });
});

describe('properties (B8)', () => {
  it('lists definitions with documented types, field types, options and a unique-value custom property', async () => {
    const res = await call('GET', '/crm/v3/properties/contacts');
    expect(res.status).toBe(200);
    const byName = new Map(res.json.results.map((p: { name: string }) => [p.name, p]));
    const types = new Set(['bool', 'date', 'datetime', 'enumeration', 'number', 'phone_number', 'string']);
    for (const p of res.json.results) {
      expect(types.has(p.type)).toBe(true);
      for (const k of ['name', 'label', 'type', 'fieldType', 'groupName', 'description', 'options'])
        expect(p).toHaveProperty(k);
    }
    expect(byName.get('lifecyclestage')).toMatchObject({
      type: 'enumeration',
      fieldType: 'radio',
      hubspotDefined: true,
      options: expect.arrayContaining([{ label: 'Lead', value: 'lead', displayOrder: 1, hidden: false }]),
    });
    expect(byName.get('crm_external_id')).toMatchObject({
      type: 'string',
      hasUniqueValue: true,
      hubspotDefined: false,
    });
    const one = await call('GET', '/crm/v3/properties/0-1/email');
    expect(one.json).toMatchObject({ name: 'email', type: 'string', fieldType: 'text' });
    expect((await call('GET', '/crm/v3/properties/contacts/nope')).status).toBe(404);
    const deals = await call('GET', '/crm/v3/properties/deals');
    const stage = deals.json.results.find((p: { name: string }) => p.name === 'dealstage');
    expect(stage.options.map((o: { value: string }) => o.value)).toContain('closedwon');
  });

  it('creates a unique-value custom property that then works as an idProperty', async () => {
    const res = await call('POST', '/crm/v3/properties/contacts', {
      name: 'legacy_id',
      label: 'Legacy ID',
      type: 'string',
      fieldType: 'text',
      groupName: 'contactinformation',
      hasUniqueValue: true,
    });
    expect(res.status).toBe(201);
    expect(res.json).toMatchObject({ name: 'legacy_id', hasUniqueValue: true });
    expect((await call('POST', '/crm/v3/properties/contacts', res.json)).status).toBe(409);
    const up = await call('POST', '/crm/v3/objects/contacts/batch/upsert', {
      inputs: [{ id: 'L-1', idProperty: 'legacy_id', properties: { lastname: 'Legacy' } }],
    });
    expect(up.json.results[0]).toMatchObject({ new: true, properties: { legacy_id: 'L-1' } });
    const dup = await call('POST', '/crm/v3/objects/contacts', {
      properties: { lastname: 'Other', legacy_id: 'l-1' },
    });
    expect(dup.status).toBe(409);
  });
});

describe('pipelines (B9)', () => {
  it('serves the default pipeline with its seven stages and string metadata, and a custom one', async () => {
    const res = await call('GET', '/crm/v3/pipelines/deals');
    expect(res.status).toBe(200);
    const def = res.json.results[0];
    expect(def).toMatchObject({ id: 'default', createdAt: '1970-01-01T00:00:00.000Z', archived: false });
    expect(def.stages.map((s: { id: string }) => s.id)).toEqual([
      'appointmentscheduled',
      'qualifiedtobuy',
      'presentationscheduled',
      'decisionmakerboughtin',
      'contractsent',
      'closedwon',
      'closedlost',
    ]);
    expect(def.stages[5].metadata).toEqual({ isClosed: 'true', probability: '1.0' });
    expect(res.json.results[1].stages[0].id).toMatch(/^\d+$/);
    const stages = await call('GET', '/crm/v3/pipelines/deals/default/stages');
    expect(stages.json.results).toHaveLength(7);
    expect((await call('GET', '/crm/v3/pipelines/deals/nope')).status).toBe(404);
  });
});
