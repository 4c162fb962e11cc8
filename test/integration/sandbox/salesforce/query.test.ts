import { startSalesforce, V, type Salesforce } from './helpers';

let s: Salesforce;
beforeAll(async () => {
  s = await startSalesforce({ Account: 20, Contact: 450, Opportunity: 60 });
});
afterAll(() => s.close());

const q = (soql: string, all = false, headers?: Record<string, string>) =>
  s.sf('GET', `${V}/${all ? 'queryAll' : 'query'}?q=${encodeURIComponent(soql)}`, { headers });

const store = () => s.server.org().state.store;
const liveContacts = () => [...store().table('Contact').values()].filter((r) => !r.IsDeleted);

describe('SOQL query and paging (Part A6)', () => {
  it('pages to the end through single-segment nextRecordsUrl locators honouring Sforce-Query-Options', async () => {
    const first = await q('SELECT Id, LastName FROM Contact ORDER BY Id', false, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(first.status).toBe(200);
    expect(first.json.totalSize).toBe(liveContacts().length);
    expect(first.json.done).toBe(false);
    expect(first.json.records).toHaveLength(200);
    const ids: string[] = first.json.records.map((r: { Id: string }) => r.Id);
    let next: string | undefined = first.json.nextRecordsUrl;
    let pages = 1;
    while (next) {
      expect(next).toMatch(/^\/services\/data\/v62\.0\/query\/[^/]+$/);
      const page = await s.sf('GET', next, { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
      expect(page.json.totalSize).toBe(first.json.totalSize);
      ids.push(...page.json.records.map((r: { Id: string }) => r.Id));
      next = page.json.nextRecordsUrl;
      if (!next) expect(page.json.done).toBe(true);
      pages++;
    }
    expect(pages).toBe(Math.ceil(liveContacts().length / 200));
    expect(ids).toEqual(liveContacts().map((r) => r.Id));
    // Batch size is clamped to 200…2,000: 50 reads as 200.
    expect(
      (await q('SELECT Id FROM Contact', false, { 'Sforce-Query-Options': 'batchSize=50' })).json.records,
    ).toHaveLength(200);
    expect((await s.sf('GET', `${V}/query/01gNOPE-200`)).json).toEqual([
      { message: 'QUERY_LOCATOR_EXPIRED: invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' },
    ]);
  });

  it('includes recycle-bin records only in queryAll, whose locators continue under /query', async () => {
    const deleted = [...store().table('Contact').values()].filter((r) => r.IsDeleted).length;
    expect(deleted).toBeGreaterThan(0);
    expect((await q('SELECT Id FROM Contact WHERE IsDeleted = true')).json.totalSize).toBe(0);
    const all = await q('SELECT Id, IsDeleted FROM Contact', true, {
      'Sforce-Query-Options': 'batchSize=200',
    });
    expect(all.json.totalSize).toBe(liveContacts().length + deleted);
    const page2 = await s.sf('GET', all.json.nextRecordsUrl, {
      headers: { 'Sforce-Query-Options': 'batchSize=200' },
    });
    expect(page2.status).toBe(200);
    expect(page2.json.records).toHaveLength(200);
    expect((await q('SELECT COUNT() FROM Contact WHERE IsDeleted = true', true)).json).toEqual({
      totalSize: deleted,
      done: true,
      records: [],
    });
  });

  it('filters with comparison, IN, LIKE, AND/OR, parentheses and datetime literals', async () => {
    const contacts = liveContacts();
    const sample = contacts[5]!;
    const byEmail = await q(
      `SELECT Id, Email FROM Contact WHERE Email = '${String(sample.Email).toUpperCase()}'`,
    );
    expect(byEmail.json.records.map((r: { Id: string }) => r.Id)).toEqual([sample.Id]);
    const inList = await q(
      `SELECT Id FROM Contact WHERE Id IN ('${String(contacts[1]!.Id)}', '${String(contacts[2]!.Id).slice(0, 15)}')`,
    );
    expect(inList.json.totalSize).toBe(2);
    const like = await q("SELECT LastName FROM Contact WHERE LastName LIKE 'lov%'");
    expect(like.json.totalSize).toBe(
      contacts.filter((r) => String(r.LastName).toLowerCase().startsWith('lov')).length,
    );
    const cutoff = contacts[200]!.SystemModstamp as number;
    const iso = new Date(cutoff).toISOString().replace('.000', '');
    const after = await q(
      `SELECT Id FROM Contact WHERE SystemModstamp > ${iso} AND (LeadSource = 'Web' OR LeadSource = 'Other')`,
    );
    expect(after.json.totalSize).toBe(
      contacts.filter(
        (r) => (r.SystemModstamp as number) > cutoff && (r.LeadSource === 'Web' || r.LeadSource === 'Other'),
      ).length,
    );
    const notIn = await q(
      "SELECT Id FROM Contact WHERE Customer_Tier__c NOT IN ('Gold') AND Customer_Tier__c != null",
    );
    expect(notIn.json.totalSize).toBe(
      contacts.filter((r) => r.Customer_Tier__c !== null && r.Customer_Tier__c !== 'Gold').length,
    );
    const recent = await q('SELECT Id FROM Contact WHERE LastModifiedDate = LAST_N_DAYS:30');
    expect(recent.json.totalSize).toBeGreaterThan(0);
  });

  it('orders, limits, offsets and refuses OFFSET above 2,000', async () => {
    const res = await q(
      'SELECT Id, NPS_Score__c FROM Contact ORDER BY NPS_Score__c DESC NULLS LAST, Id LIMIT 5 OFFSET 2',
    );
    const scores = res.json.records.map((r: { NPS_Score__c: number | null }) => r.NPS_Score__c);
    expect(scores).toHaveLength(5);
    expect([...scores].sort((a: number, b: number) => b - a)).toEqual(scores);
    const tooFar = await q('SELECT Id FROM Contact LIMIT 10 OFFSET 2001');
    expect(tooFar.status).toBe(400);
    expect(tooFar.json[0].errorCode).toBe('NUMBER_OUTSIDE_VALID_RANGE');
  });

  it('returns relationship fields nested, child subqueries and semi-joins', async () => {
    const res = await q(
      'SELECT Id, Name, Account.Name, Owner.Email, (SELECT ContactId, Role FROM OpportunityContactRoles) FROM Opportunity WHERE AccountId != null LIMIT 3',
    );
    const rec = res.json.records[0];
    expect(Object.keys(rec)).toEqual([
      'attributes',
      'Id',
      'Name',
      'Account',
      'Owner',
      'OpportunityContactRoles',
    ]);
    expect(rec.Account).toEqual({
      attributes: {
        type: 'Account',
        url: expect.stringMatching(/^\/services\/data\/v62\.0\/sobjects\/Account\//),
      },
      Name: expect.any(String),
    });
    expect(rec.OpportunityContactRoles).toMatchObject({ done: true, totalSize: expect.any(Number) });
    expect(rec.OpportunityContactRoles.records[0]).toMatchObject({
      attributes: { type: 'OpportunityContactRole' },
      ContactId: expect.stringMatching(/^003/),
    });
    const oppId = rec.Id as string;
    const semi = await q(
      `SELECT Id FROM Contact WHERE Id IN (SELECT ContactId FROM OpportunityContactRole WHERE OpportunityId = '${oppId}')`,
    );
    expect(semi.json.records.map((r: { Id: string }) => r.Id).sort()).toEqual(
      rec.OpportunityContactRoles.records.map((r: { ContactId: string }) => r.ContactId).sort(),
    );
  });

  it('rejects bad SOQL with MALFORMED_QUERY, INVALID_FIELD, INVALID_TYPE and filter type errors', async () => {
    const malformed = await q('SELECT Id FROM Contact WHERE');
    expect(malformed.status).toBe(400);
    expect(malformed.json[0].errorCode).toBe('MALFORMED_QUERY');
    expect(malformed.json[0].message).toMatch(/ERROR at Row:1:Column:\d+/);
    expect((await q('SELECT Nope FROM Contact')).json[0].errorCode).toBe('INVALID_FIELD');
    expect((await q('SELECT Id FROM Widget__c')).json[0].errorCode).toBe('INVALID_TYPE');
    expect((await q("SELECT Id FROM Contact WHERE NPS_Score__c = '3'")).json[0].errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
    expect((await q('SELECT Id FROM Contact WHERE SystemModstamp > 2024-01-01')).json[0].errorCode).toBe(
      'INVALID_QUERY_FILTER_OPERATOR',
    );
    expect((await q('SELECT Id FROM Contact GROUP BY Id')).json[0].errorCode).toBe('MALFORMED_QUERY');
    expect((await s.sf('GET', `${V}/query`)).json[0].errorCode).toBe('MALFORMED_QUERY');
    // SOQL has no AND/OR precedence: mixing them at one level needs parentheses.
    const mixed = await q("SELECT Id FROM Contact WHERE LastName = 'A' AND FirstName = 'B' OR Email != null");
    expect(mixed.status).toBe(400);
    expect(mixed.json[0].errorCode).toBe('MALFORMED_QUERY');
    expect(mixed.json[0].message).toMatch(/unexpected token: 'OR'/);
    const grouped = await q(
      "SELECT Id FROM Contact WHERE (LastName = 'A' AND FirstName = 'B') OR Email != null",
    );
    expect(grouped.status).toBe(200);
  });

  it('seeds clusters of records sharing one SystemModstamp', async () => {
    const stamps = liveContacts().map((r) => r.SystemModstamp);
    const counts = new Map<unknown, number>();
    for (const t of stamps) counts.set(t, (counts.get(t) ?? 0) + 1);
    expect(Math.max(...counts.values())).toBeGreaterThanOrEqual(10);
  });
});
