// HubSpot's own Node client, unchanged and only pointed at the sandbox with `basePath`: if its
// generated (de)serialisers accept every answer, the sandbox speaks HubSpot's wire format.
import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/associations/v4/models/AssociationSpec';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/contacts/models/Filter';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { DEMO, type HubSpotServer } from '../../../../src/sandbox/hubspot';
import { liveIds, startHubSpot } from './helpers';

let server: HubSpotServer;
let live: ListeningSandbox;
let hubspot: Client;

beforeAll(async () => {
  ({ server, live } = await startHubSpot({ contacts: 45, deals: 12 }));
  hubspot = new Client({ accessToken: DEMO.privateAppToken, basePath: live.baseUrl });
});
afterAll(async () => {
  await live.close();
});

describe('@hubspot/api-client against the sandbox', () => {
  it('batch-creates and batch-reads contacts', async () => {
    const created = await hubspot.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'client.one@example.org', firstname: 'One' }, associations: [] },
        { properties: { email: 'client.two@example.org', firstname: 'Two' }, associations: [] },
      ],
    });
    expect(created.status).toBe('COMPLETE');
    expect(created.results.map((r) => r.properties.email).sort()).toEqual([
      'client.one@example.org',
      'client.two@example.org',
    ]);
    expect(created.results[0]?.createdAt).toBeInstanceOf(Date);
    const read = await hubspot.crm.contacts.batchApi.read({
      inputs: created.results.map((r) => ({ id: r.id })),
      properties: ['email', 'firstname'],
      propertiesWithHistory: [],
    });
    expect(read.results.map((r) => r.properties.firstname).sort()).toEqual(['One', 'Two']);
  });

  it('gets a contact by id with properties and deal associations', async () => {
    const store = server.org().state.store;
    const id = liveIds(server, 'contacts').find((c) => store.associated('contacts', c).length > 0) as string;
    const contact = await hubspot.crm.contacts.basicApi.getById(id, ['email', 'jobtitle'], undefined, [
      'deals',
    ]);
    expect(contact.id).toBe(id);
    expect(contact.properties.jobtitle).toBe(store.get('contacts', id)?.properties.jobtitle);
    expect(contact.associations?.deals?.results.map((a) => a.id)).toEqual(store.associated('contacts', id));
  });

  it('searches by email', async () => {
    const res = await hubspot.crm.contacts.searchApi.doSearch({
      filterGroups: [
        {
          filters: [
            { propertyName: 'email', operator: FilterOperatorEnum.Eq, value: 'client.one@example.org' },
          ],
        },
      ],
      properties: ['email', 'firstname'],
      sorts: [],
      limit: 10,
      after: '0',
    });
    expect(res.total).toBe(1);
    expect(res.results[0]?.properties.firstname).toBe('One');
  });

  it('pages the contact list to the end', async () => {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await hubspot.crm.contacts.basicApi.getPage(20, after, ['email']);
      ids.push(...page.results.map((r) => r.id));
      after = page.paging?.next?.after;
    } while (after);
    expect(ids).toEqual(liveIds(server, 'contacts'));
    const all = await hubspot.crm.contacts.getAll(100);
    expect(all.map((r) => r.id)).toEqual(ids);
  });

  it('batch-upserts by email', async () => {
    const res = await hubspot.crm.contacts.batchApi.upsert({
      inputs: [
        { id: 'client.one@example.org', idProperty: 'email', properties: { jobtitle: 'Upserted' } },
        { id: 'client.three@example.org', idProperty: 'email', properties: { firstname: 'Three' } },
      ],
    });
    const byEmail = new Map(res.results.map((r) => [r.properties.email, r]));
    expect(byEmail.get('client.one@example.org')?._new).toBe(false);
    expect(byEmail.get('client.three@example.org')?._new).toBe(true);
  });

  it('creates a deal and associates it to a contact through v4', async () => {
    const contact = liveIds(server, 'contacts')[0] as string;
    const deal = await hubspot.crm.deals.basicApi.create({
      properties: {
        dealname: 'Client deal',
        dealstage: 'qualifiedtobuy',
        pipeline: 'default',
        amount: '2500.00',
      },
      associations: [],
    });
    const link = await hubspot.crm.associations.v4.basicApi.create('deals', deal.id, 'contacts', contact, [
      { associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: 3 },
    ]);
    expect(String(link.fromObjectId)).toBe(deal.id);
    const page = await hubspot.crm.associations.v4.basicApi.getPage('deals', deal.id, 'contacts');
    expect(page.results.map((r) => String(r.toObjectId))).toEqual([contact]);
    const read = await hubspot.crm.associations.v4.batchApi.getPage('contacts', 'deals', {
      inputs: [{ id: contact }],
    });
    expect(read.results[0]?.to.map((t) => String(t.toObjectId))).toContain(deal.id);
  });

  it('reads properties and pipelines', async () => {
    const props = await hubspot.crm.properties.coreApi.getAll('contacts');
    expect(props.results.find((p) => p.name === 'crm_external_id')?.hasUniqueValue).toBe(true);
    const email = await hubspot.crm.properties.coreApi.getByName('contacts', 'email');
    expect(email.type).toBe('string');
    const pipelines = await hubspot.crm.pipelines.pipelinesApi.getAll('deals');
    expect(pipelines.results[0]?.id).toBe('default');
    expect(pipelines.results[0]?.stages).toHaveLength(7);
    const stages = await hubspot.crm.pipelines.pipelineStagesApi.getAll('deals', 'default');
    expect(stages.results.map((s) => s.metadata?.probability)).toContain('0.2');
  });

  it('archives a contact, which then shows only in the archived listing', async () => {
    const id = liveIds(server, 'contacts')[3] as string;
    await hubspot.crm.contacts.basicApi.archive(id);
    await expect(hubspot.crm.contacts.basicApi.getById(id)).rejects.toMatchObject({ code: 404 });
    const archived = await hubspot.crm.contacts.basicApi.getPage(
      100,
      undefined,
      ['email'],
      undefined,
      undefined,
      true,
    );
    expect(archived.results.map((r) => r.id)).toContain(id);
    expect(archived.results.every((r) => r.archived && r.archivedAt instanceof Date)).toBe(true);
  });

  it('surfaces HubSpot errors the client understands (409 duplicate email)', async () => {
    await expect(
      hubspot.crm.contacts.basicApi.create({
        properties: { email: 'client.one@example.org' },
        associations: [],
      }),
    ).rejects.toMatchObject({ code: 409, body: { category: 'CONFLICT' } });
  });
});
