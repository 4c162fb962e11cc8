import { DATA, forgetOrgMetadata, salesforce, sf, sfId } from './sf-context';

/** linkRecords / unlinkRecords as OpportunityContactRole rows (docs/vendors/salesforce.md "Contact roles"). */

beforeEach(forgetOrgMetadata);

const role = (n: number, contact: number, opp: number) => ({
  attributes: { type: 'OpportunityContactRole' },
  Id: sfId('00K', n),
  ContactId: sfId('003', contact),
  OpportunityId: sfId('006', opp),
});

interface RolesBody {
  allOrNone: boolean;
  records: { attributes: { type: string }; ContactId: string; OpportunityId: string }[];
}

describe('Salesforce linkRecords', () => {
  it('queries the roles once, creates only the missing ones in one Collections call, one result per pair', async () => {
    const { connector } = salesforce();
    let soql = '';
    let created: RolesBody | undefined;
    sf()
      .get(`${DATA}/query`)
      .query((q) => {
        soql = String(q.q);
        return true;
      })
      // Pair 1 is linked already (its role answered with an 18-character id for a 15-character caller id).
      .reply(200, { totalSize: 1, done: true, records: [role(1, 1, 1)] })
      .post(`${DATA}/composite/sobjects`, (b: RolesBody) => {
        created = b;
        return true;
      })
      .reply(200, [
        { id: sfId('00K', 2), success: true, errors: [] },
        {
          success: false,
          errors: [
            { statusCode: 'INVALID_CROSS_REFERENCE_KEY', message: 'invalid cross reference id', fields: [] },
          ],
        },
        {
          success: false,
          errors: [{ statusCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION', message: 'no', fields: [] }],
        },
      ]);
    const pairs = [
      { ref: 'a', fromId: sfId('003', 1).slice(0, 15), toId: sfId('006', 1) },
      { ref: 'b', fromId: sfId('003', 2), toId: sfId('006', 1) },
      { ref: 'c', fromId: sfId('003', 3), toId: sfId('006', 9) },
      { ref: 'd', fromId: sfId('003', 4), toId: sfId('006', 1) },
      // Not a contact id: refused without a call.
      { ref: 'e', fromId: sfId('006', 5), toId: sfId('006', 1) },
    ];
    const results = await connector.linkRecords('contact', 'deal', pairs);
    expect(soql).toBe(
      `SELECT Id, ContactId, OpportunityId FROM OpportunityContactRole WHERE OpportunityId IN ('${sfId('006', 1)}','${sfId('006', 9)}')`,
    );
    expect(created?.allOrNone).toBe(false);
    expect(created?.records.map((r) => [r.attributes.type, r.ContactId, r.OpportunityId])).toEqual([
      ['OpportunityContactRole', sfId('003', 2), sfId('006', 1)],
      ['OpportunityContactRole', sfId('003', 3), sfId('006', 9)],
      ['OpportunityContactRole', sfId('003', 4), sfId('006', 1)],
    ]);
    expect(results.map((r) => r.ref)).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(results[0]).toEqual({ ref: 'a', ok: true, remoteId: pairs[0]!.fromId, created: false });
    expect(results[1]).toEqual({ ref: 'b', ok: true, remoteId: sfId('003', 2), created: false });
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'ok',
      'NOT_FOUND',
      'VALIDATION',
      'NOT_FOUND',
    ]);
  });

  it('a deal-side call names the deal first; every pair linked already → no write call', async () => {
    const { connector } = salesforce();
    sf()
      .get(`${DATA}/query`)
      .query(true)
      .reply(200, { totalSize: 1, done: true, records: [role(1, 1, 1)] });
    const results = await connector.linkRecords('deal', 'contact', [
      { ref: 'x', fromId: sfId('006', 1), toId: sfId('003', 1) },
    ]);
    expect(results).toEqual([{ ref: 'x', ok: true, remoteId: sfId('006', 1), created: false }]);
  });

  it('refuses more than writeBatch pairs without a call', async () => {
    const { connector } = salesforce();
    const pairs = Array.from({ length: connector.limits.writeBatch + 1 }, (_, i) => ({
      ref: String(i),
      fromId: sfId('003', 1),
      toId: sfId('006', 1),
    }));
    await expect(connector.linkRecords('contact', 'deal', pairs)).rejects.toMatchObject({
      code: 'VALIDATION',
    });
  });
});

describe('Salesforce unlinkRecords', () => {
  it('deletes every role of each pair in one Collections DELETE; a pair without one is a success', async () => {
    const { connector } = salesforce();
    let ids = '';
    sf()
      .get(`${DATA}/query`)
      .query(true)
      .reply(200, { totalSize: 3, done: true, records: [role(1, 1, 1), role(2, 1, 1), role(3, 2, 1)] })
      .delete(`${DATA}/composite/sobjects`)
      .query((q) => {
        ids = String(q.ids);
        return true;
      })
      .reply(200, [
        { id: sfId('00K', 1), success: true, errors: [] },
        // Deleted meanwhile: gone is what was asked for.
        {
          id: sfId('00K', 2),
          success: false,
          errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'deleted' }],
        },
        {
          id: sfId('00K', 3),
          success: false,
          errors: [{ statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'no access' }],
        },
      ]);
    const results = await connector.unlinkRecords('contact', 'deal', [
      { ref: 'a', fromId: sfId('003', 1), toId: sfId('006', 1) },
      { ref: 'b', fromId: sfId('003', 2), toId: sfId('006', 1) },
      { ref: 'c', fromId: sfId('003', 7), toId: sfId('006', 1) },
      { ref: 'd', fromId: 'nonsense', toId: sfId('006', 1) },
    ]);
    expect(ids.split(',')).toEqual([sfId('00K', 1), sfId('00K', 2), sfId('00K', 3)]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'UPSTREAM', 'ok', 'ok']);
  });

  it('nothing to delete → no DELETE call', async () => {
    const { connector } = salesforce();
    sf().get(`${DATA}/query`).query(true).reply(200, { totalSize: 0, done: true, records: [] });
    const results = await connector.unlinkRecords('contact', 'deal', [
      { ref: 'a', fromId: sfId('003', 1), toId: sfId('006', 1) },
    ]);
    expect(results).toEqual([{ ref: 'a', ok: true, remoteId: sfId('003', 1), created: false }]);
  });
});
