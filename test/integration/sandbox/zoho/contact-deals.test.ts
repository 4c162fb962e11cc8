import { createAt } from '../../../../src/sandbox/zoho/admin';
import { startZoho, type Started } from './helpers';

/**
 * A contact's `Deals` related list (docs/vendors/zoho.md "Contact roles"): the deals it is the
 * `Contact_Name` of and those it holds a role in, `fields` required, paged like a list.
 */
describe('Zoho sandbox: a contact’s Deals related list', () => {
  let z: Started;
  beforeAll(async () => {
    z = await startZoho({ Contacts: 0, Deals: 0 });
  });
  afterAll(async () => {
    await z.live.close();
  });

  it('lists the Contact_Name deals and the contact-role deals, by id, and nothing of other contacts', async () => {
    const org = z.server.org();
    const jane = createAt(org, 'Contacts', { Last_Name: 'Jane' }).id;
    const other = createAt(org, 'Contacts', { Last_Name: 'Other' }).id;
    const primary = createAt(org, 'Deals', {
      Deal_Name: 'P',
      Stage: 'Qualification',
      Contact_Name: { id: jane },
    }).id;
    const byRole = createAt(org, 'Deals', {
      Deal_Name: 'R',
      Stage: 'Qualification',
      Contact_Name: { id: other },
    }).id;
    createAt(org, 'Deals', { Deal_Name: 'N', Stage: 'Qualification', Contact_Name: { id: other } });
    const role = org.state.store.roleDefs[0]!.id;
    const put = await z.call('PUT', `/Deals/${byRole}/Contact_Roles/${jane}`, {
      body: { data: [{ Contact_Role: { id: role } }] },
    });
    expect(put.status).toBe(200);

    const res = await z.call('GET', `/Contacts/${jane}/Deals?fields=Deal_Name`);
    expect(res.status).toBe(200);
    expect(res.json.data.map((d: { id: string; Deal_Name: string }) => [d.id, d.Deal_Name])).toEqual([
      [primary, 'P'],
      [byRole, 'R'],
    ]);
    const page2 = await z.call('GET', `/Contacts/${jane}/Deals?fields=id&per_page=1&page=2`);
    expect(page2.json.data.map((d: { id: string }) => d.id)).toEqual([byRole]);
    expect(page2.json.info).toMatchObject({ page: 2, per_page: 1, more_records: false });
    const none = createAt(org, 'Contacts', { Last_Name: 'Lonely' }).id;
    expect((await z.call('GET', `/Contacts/${none}/Deals?fields=id`)).status).toBe(204);
  });

  it('refuses a missing fields, a bad per_page and a contact it does not have', async () => {
    const jane = createAt(z.server.org(), 'Contacts', { Last_Name: 'Jane' }).id;
    expect((await z.call('GET', `/Contacts/${jane}/Deals`)).json.code).toBe('REQUIRED_PARAM_MISSING');
    expect((await z.call('GET', `/Contacts/${jane}/Deals?fields=id&per_page=201`)).json.code).toBe(
      'INVALID_DATA',
    );
    expect((await z.call('GET', `/Contacts/1000000000000000001/Deals?fields=id`)).json.code).toBe(
      'INVALID_DATA',
    );
  });
});
