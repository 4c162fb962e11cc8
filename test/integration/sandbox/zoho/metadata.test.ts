import { contactRolesOf } from '../../../../src/sandbox/zoho';
import { startZoho, type Started } from './helpers';

describe('Zoho sandbox: fields, layouts, pipelines and contact roles', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 30, Deals: 20 });
  });
  afterAll(async () => {
    await z.live.close();
  });

  it('describes fields with custom_field, data types, the unique key and picklists', async () => {
    const res = await z.call('GET', '/settings/fields?module=Contacts');
    expect(res.status).toBe(200);
    const byName = Object.fromEntries(res.json.fields.map((f: { api_name: string }) => [f.api_name, f]));
    expect(byName.Last_Name).toMatchObject({
      data_type: 'text',
      custom_field: false,
      system_mandatory: true,
    });
    expect(byName.Gateway_Key).toMatchObject({ custom_field: true, unique: { casesensitive: 'false' } });
    expect(
      byName.Customer_Tier.pick_list_values.map((p: { actual_value: string }) => p.actual_value),
    ).toContain('Gold');
    expect((await z.call('GET', '/settings/fields')).json.code).toBe('REQUIRED_PARAM_MISSING');
    const deals = await z.call('GET', '/settings/fields?module=Deals');
    const stage = deals.json.fields.find((f: { api_name: string }) => f.api_name === 'Stage');
    expect(
      stage.pick_list_values.find((p: { actual_value: string }) => p.actual_value === 'Closed Won'),
    ).toMatchObject({
      probability: 100,
      forecast_type: 'Closed Won',
      forecast_category: { name: 'Closed' },
    });
    const contactName = deals.json.fields.find((f: { api_name: string }) => f.api_name === 'Contact_Name');
    expect(contactName).toMatchObject({ data_type: 'lookup', lookup: { module: { api_name: 'Contacts' } } });
  });

  it('lists the pipelines of the Deals layout with each stage forecast', async () => {
    const layouts = await z.call('GET', '/settings/layouts?module=Deals');
    const layoutId = layouts.json.layouts[0].id as string;
    expect((await z.call('GET', '/settings/pipeline')).json.code).toBe('REQUIRED_PARAM_MISSING');
    const res = await z.call('GET', `/settings/pipeline?layout_id=${layoutId}`);
    expect(res.status).toBe(200);
    expect(res.json.pipeline.map((p: { actual_value: string }) => p.actual_value)).toEqual([
      'Standard (Standard)',
      'Renewals',
    ]);
    expect(res.json.pipeline[0]).toMatchObject({ default: true });
    const lost = res.json.pipeline[0].maps.find(
      (m: { actual_value: string }) => m.actual_value === 'Closed Lost',
    );
    expect(lost).toMatchObject({ forecast_type: 'Closed Lost', forecast_category: { name: 'Omitted' } });
  });

  it('lists, adds, changes and removes contact roles on a deal', async () => {
    const org = z.server.org();
    const deal = org.state.store.all('Deals')[0]!;
    const contact = org.state.store.all('Contacts')[3]!;
    const roles = await z.call('GET', '/settings/contact_roles');
    const sponsor = roles.json.contact_roles.find((r: { name: string }) => r.name === 'Executive Sponsor');
    expect((await z.call('GET', `/Deals/${deal.id}/Contact_Roles`)).json.code).toBe('REQUIRED_PARAM_MISSING');
    const put = await z.call('PUT', `/Deals/${deal.id}/Contact_Roles/${contact.id}`, {
      body: { data: [{ Contact_Role: { id: sponsor.id } }] },
    });
    expect(put.status).toBe(200);
    expect(put.json.data[0]).toMatchObject({ code: 'SUCCESS', details: { id: contact.id } });
    expect(contactRolesOf(org, deal.id)[contact.id]).toBe('Executive Sponsor');
    const list = await z.call('GET', `/Deals/${deal.id}/Contact_Roles?fields=Last_Name,Email`);
    expect(list.json.data).toContainEqual(
      expect.objectContaining({
        id: contact.id,
        Contact_Role: { name: 'Executive Sponsor', id: sponsor.id },
      }),
    );
    const missing = await z.call('PUT', `/Deals/${deal.id}/Contact_Roles/${contact.id}`, {
      body: { data: [{}] },
    });
    expect(missing.json.data[0].code).toBe('MANDATORY_NOT_FOUND');
    const del = await z.call('DELETE', `/Deals/${deal.id}/Contact_Roles/${contact.id}`);
    expect(del.status).toBe(200);
    expect(contactRolesOf(org, deal.id)[contact.id]).toBeUndefined();
    // The plain record routes still answer beside the contact roles ones.
    expect((await z.call('GET', `/Deals/${deal.id}?fields=Deal_Name`)).status).toBe(200);
  });
});
