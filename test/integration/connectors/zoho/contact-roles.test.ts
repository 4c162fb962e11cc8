import { createAt } from '../../../../src/sandbox/zoho/admin';
import { startZohoConformance, type ZohoConformanceSandbox } from '../../conformance/zoho.target';

/**
 * A contact's deals through both of Zoho's links (docs/vendors/zoho.md "Connector: deal contacts"),
 * against the sandbox over real sockets: `Contact_Name` by one COQL `in` per 50 contacts, and with
 * `dealContactRoles` the deals a contact holds a role in from its `Deals` related list, one call per
 * contact — and, the other way, a deal's contacts by both.
 */
describe('Zoho contact ↔ deals through contact roles', () => {
  let sb: ZohoConformanceSandbox;
  beforeAll(async () => {
    sb = await startZohoConformance({
      counts: { contact: 0, deal: 0 },
      settings: { dealContactRoles: true },
    });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('finds Contact_Name deals and role deals both ways, in the fewest calls Zoho allows', async () => {
    const org = sb.org;
    const contacts = Array.from(
      { length: 55 },
      (_, i) => createAt(org, 'Contacts', { Last_Name: `C${i}` }).id,
    );
    const [jane, joe] = contacts as [string, string];
    const role = org.state.store.roleDefs[0]!.id;
    const primary = createAt(org, 'Deals', {
      Deal_Name: 'P',
      Stage: 'Qualification',
      Contact_Name: { id: jane },
    }).id;
    const shared = createAt(org, 'Deals', {
      Deal_Name: 'S',
      Stage: 'Qualification',
      Contact_Name: { id: joe },
    }).id;
    // Jane takes part in Joe's deal through a contact role.
    org.state.store.contactRoles.set(shared, new Map([[jane, role]]));

    sb.clearLog();
    const deals = await sb.connector().getAssociations('contact', contacts, 'deal');
    expect(deals.get(jane)!.sort()).toEqual([primary, shared].sort());
    expect(deals.get(joe)).toEqual([shared]);
    expect(contacts.slice(2).every((c) => deals.get(c)!.length === 0)).toBe(true);
    // ⌈55 / 50⌉ COQL queries and one related list per contact.
    expect(sb.calls(/^POST \/dc\/:dc\/api\/crm\/v8\/coql$/)).toBe(2);
    expect(sb.calls(/^GET \/dc\/:dc\/api\/crm\/v8\/Contacts\/:contact\/Deals$/)).toBe(55);

    const back = await sb.connector().getAssociations('deal', [primary, shared], 'contact');
    expect(back.get(primary)).toEqual([jane]);
    expect(back.get(shared)!.sort()).toEqual([joe, jane].sort());
  });
});
