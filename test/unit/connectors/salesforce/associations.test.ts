import { DATA, forgetOrgMetadata, salesforce, sf, sfId } from './sf-context';

/** Contact ↔ deal associations through OpportunityContactRole. */

beforeEach(forgetOrgMetadata);

describe('Salesforce getAssociations', () => {
  it('reads deal → contacts through OpportunityContactRole, one link per pair, empty lists for none', async () => {
    const { connector } = salesforce();
    let soql = '';
    sf()
      .get(`${DATA}/query`)
      .query((q) => {
        soql = String(q.q);
        return true;
      })
      .reply(200, {
        totalSize: 3,
        done: true,
        records: [
          {
            attributes: { type: 'OpportunityContactRole' },
            OpportunityId: sfId('006', 1),
            ContactId: sfId('003', 1),
          },
          {
            attributes: { type: 'OpportunityContactRole' },
            OpportunityId: sfId('006', 1),
            ContactId: sfId('003', 1),
          },
          {
            attributes: { type: 'OpportunityContactRole' },
            OpportunityId: sfId('006', 1),
            ContactId: sfId('003', 2),
          },
        ],
      });
    const out = await connector.getAssociations('deal', [sfId('006', 1), sfId('006', 2)], 'contact');
    expect(out.get(sfId('006', 1))).toEqual([sfId('003', 1), sfId('003', 2)]);
    expect(out.get(sfId('006', 2))).toEqual([]);
    expect(soql).toMatch(
      /^SELECT OpportunityId, ContactId FROM OpportunityContactRole WHERE OpportunityId IN \(/,
    );
  });

  it('reads contact → deals the other way round', async () => {
    const { connector } = salesforce();
    let soql = '';
    sf()
      .get(`${DATA}/query`)
      .query((q) => {
        soql = String(q.q);
        return true;
      })
      .reply(200, {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'OpportunityContactRole' },
            ContactId: sfId('003', 1),
            OpportunityId: sfId('006', 5),
          },
        ],
      });
    const out = await connector.getAssociations('contact', [sfId('003', 1)], 'deal');
    expect(out.get(sfId('003', 1))).toEqual([sfId('006', 5)]);
    expect(soql).toMatch(/WHERE ContactId IN/);
  });
});
