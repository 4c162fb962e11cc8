import nock from '../../../support/nock';
import { ConnectorCursorError } from '../../../../src/connectors/cursor';
import { DATA, INSTANCE, forgetOrgMetadata, salesforce, sf, sfId } from './sf-context';

beforeEach(forgetOrgMetadata);

const contact = (n: number, extra: Record<string, unknown> = {}) => ({
  attributes: { type: 'Contact', url: `${DATA}/sobjects/Contact/${sfId('003', n)}` },
  Id: sfId('003', n),
  IsDeleted: false,
  FirstName: `First${n}`,
  LastName: `Last${n}`,
  Email: `c${n}@example.com`,
  Account: {
    attributes: { type: 'Account', url: `${DATA}/sobjects/Account/001xx0000000001AAA` },
    Name: 'Acme',
  },
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:32.000+0000',
  ...extra,
});

const opportunity = (n: number) => ({
  attributes: { type: 'Opportunity', url: `${DATA}/sobjects/Opportunity/${sfId('006', n)}` },
  Id: sfId('006', n),
  Name: `Deal ${n}`,
  Amount: 1234.5,
  StageName: 'Closed Won',
  IsClosed: true,
  IsWon: true,
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:32.000+0000',
});

describe('Salesforce listRecords', () => {
  it('pages by keyset on Id to the end, one record past the page, sending the token to the instance_url', async () => {
    const { connector, budget } = salesforce();
    const soql: string[] = [];
    const after = (n: number) => `Id > '${sfId('003', n)}'`;
    sf({ reqheaders: { authorization: 'Bearer tok-1', 'sforce-query-options': 'batchSize=201' } })
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return !String(q.q).includes('Id >');
      })
      .reply(200, { totalSize: 201, done: true, records: Array.from({ length: 201 }, (_, i) => contact(i)) })
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return String(q.q).includes(after(199));
      })
      .reply(200, {
        totalSize: 200,
        done: true,
        records: Array.from({ length: 200 }, (_, i) => contact(200 + i)),
      });

    const first = await connector.listRecords('contact', { pageSize: 200 });
    expect(first.items).toHaveLength(200);
    expect(first.items[0]).toEqual({
      remoteId: sfId('003', 0),
      fields: expect.objectContaining({ FirstName: 'First0', Account: { Name: 'Acme' } }) as unknown,
      updatedAt: '2024-05-20T20:49:32.000+0000',
      isDeleted: false,
    });
    expect(first.items[0].fields).not.toHaveProperty('attributes');
    expect(soql[0]).toMatch(
      /^SELECT Id, IsDeleted, CreatedDate, LastModifiedDate, SystemModstamp, FirstName, LastName, Email, Phone, Title, AccountId, Account\.Name, OwnerId FROM Contact ORDER BY Id ASC LIMIT 201$/,
    );
    expect(soql[0]).not.toMatch(/OFFSET/);
    // Each record resumes right after itself; the page's next cursor is its last record's.
    expect(first.itemCursors).toHaveLength(200);
    expect(first.nextCursor).toBe(first.itemCursors![199]);
    const second = await connector.listRecords('contact', { pageSize: 200, cursor: first.nextCursor });
    expect(soql[1]).toMatch(new RegExp(` FROM Contact WHERE \\(${after(199)}\\) ORDER BY Id ASC LIMIT 201$`));
    expect(second.items.map((r) => r.remoteId)[199]).toBe(sfId('003', 399));
    // 200 records where 201 were asked for: the last page, known without another call.
    expect(second.nextCursor).toBeNull();
    expect(budget.acquired).toHaveLength(2);
    expect(budget.observed[0]['sforce-limit-info']).toBe('api-usage=26/15000');
  });

  it('resumes after any record of a page, and follows a locator only within one call when a batch comes short', async () => {
    const { connector } = salesforce();
    const soql: string[] = [];
    sf()
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return true;
      })
      // Salesforce may cut a batch shorter than asked: 200 of 251, the rest behind a locator.
      .reply(200, {
        totalSize: 251,
        done: false,
        nextRecordsUrl: `${DATA}/query/01gLOC-200`,
        records: Array.from({ length: 200 }, (_, i) => contact(i)),
      })
      .get(`${DATA}/query/01gLOC-200`)
      .reply(200, {
        totalSize: 251,
        done: true,
        records: Array.from({ length: 51 }, (_, i) => contact(200 + i)),
      })
      .get(`${DATA}/query`)
      .query((q) => {
        soql.push(String(q.q));
        return true;
      })
      .reply(200, { totalSize: 3, done: true, records: [contact(8), contact(9), contact(10)] });

    const page = await connector.listRecords('contact', { pageSize: 250 });
    expect(page.items).toHaveLength(250);
    expect(page.nextCursor).toBe(page.itemCursors![249]);
    // The cursor of record 7 continues at record 8, whatever the page size.
    const resumed = await connector.listRecords('contact', { pageSize: 2, cursor: page.itemCursors![7] });
    expect(soql[1]).toContain(`WHERE (Id > '${sfId('003', 7)}') ORDER BY Id ASC LIMIT 3`);
    expect(resumed.items.map((r) => r.remoteId)).toEqual([sfId('003', 8), sfId('003', 9)]);
    expect(resumed.nextCursor).toBe(resumed.itemCursors![1]);
  });

  it('lists soft-deleted records through /queryAll when asked', async () => {
    const { connector } = salesforce();
    sf()
      .get(`${DATA}/queryAll`)
      .query(true)
      .reply(200, { totalSize: 1, done: true, records: [contact(1, { IsDeleted: true })] });
    const page = await connector.listRecords('contact', { pageSize: 10, includeDeleted: true });
    expect(page.items[0].isDeleted).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('refuses a page size Salesforce cannot serve and a cursor it did not issue', async () => {
    const { connector } = salesforce();
    await expect(connector.listRecords('contact', { pageSize: 0 })).rejects.toThrow(/pageSize must be/);
    // Clients only ever hold sealed cursors (reads/list-cursor.ts): one the connector did not issue is a
    // bug of ours, refused before any call, never sent on.
    for (const cursor of [
      'bogus',
      Buffer.from(JSON.stringify({ v: 1, a: "x' OR Name != '" })).toString('base64url'),
    ]) {
      await expect(connector.listRecords('contact', { pageSize: 10, cursor })).rejects.toThrow(
        ConnectorCursorError,
      );
    }
  });
});

describe('Salesforce getRecords', () => {
  it('reads contacts with SOQL Id IN (Account.Name crosses a relationship), in key order with null for misses', async () => {
    const { connector } = salesforce();
    let soql = '';
    sf()
      .get(`${DATA}/query`)
      .query((q) => {
        soql = String(q.q);
        return true;
      })
      .reply(200, { totalSize: 2, done: true, records: [contact(2), contact(1)] });
    const fifteen = sfId('003', 2).slice(0, 15);
    const out = await connector.getRecords('contact', [
      sfId('003', 1),
      sfId('003', 9),
      fifteen,
      "x' OR Id != '",
    ]);
    expect(out.map((r) => r?.remoteId ?? null)).toEqual([sfId('003', 1), null, sfId('003', 2), null]);
    expect(soql).toMatch(
      / FROM Contact WHERE Id IN \('003xx0000000001AAA','003xx0000000009AAA','003xx0000000002'\)$/,
    );
  });

  it('reads opportunities through sObject Collections POST retrieve with the field list, 200 ids per call', async () => {
    // The currency stated, so the org's is not looked up (org-currency.test.ts covers that query).
    const { connector } = salesforce({ settings: { currency: 'USD' } });
    const bodies: { ids: string[]; fields: string[] }[] = [];
    sf()
      .post(`${DATA}/composite/sobjects/Opportunity`, (b: { ids: string[]; fields: string[] }) => {
        bodies.push(b);
        return true;
      })
      .times(3)
      .reply(200, async (req: Request) =>
        ((await req.json()) as { ids: string[] }).ids.map((id) =>
          id.endsWith('7AAA') ? null : opportunity(Number(id.slice(5, 15))),
        ),
      );
    const ids = Array.from({ length: 450 }, (_, i) => sfId('006', i));
    const out = await connector.getRecords('deal', ids);
    expect(bodies.map((b) => b.ids.length)).toEqual([200, 200, 50]);
    expect(bodies[0].fields).toEqual(
      expect.arrayContaining(['Id', 'Name', 'Amount', 'StageName', 'IsWon', 'IsClosed', 'CloseDate']),
    );
    expect(bodies[0].fields).not.toContain('CurrencyIsoCode');
    expect(out).toHaveLength(450);
    expect(out[7]).toBeNull();
    expect(out[8]?.fields.Amount).toBe(1234.5);
  });

  it('selects CurrencyIsoCode and configured custom fields only when the connection says so', async () => {
    const { connector } = salesforce({ settings: { multiCurrency: true, fields: { deal: ['Region__c'] } } });
    let fields: string[] = [];
    sf()
      .post(`${DATA}/composite/sobjects/Opportunity`, (b: { fields: string[] }) => {
        fields = b.fields;
        return true;
      })
      .reply(200, [null]);
    await connector.getRecords('deal', [sfId('006', 1)]);
    expect(fields).toEqual(expect.arrayContaining(['CurrencyIsoCode', 'Region__c']));
  });

  it('refuses a configured field that is not an API name, so settings cannot inject SOQL', () => {
    expect(() => salesforce({ settings: { fields: { contact: ['Name FROM User --'] } } })).toThrow(
      /is not a field API name/,
    );
  });

  it('follows the instance_url of the current token (a refresh may move it), never a host jsforce names', async () => {
    const { connector, tokens } = salesforce({ settings: { currency: 'USD' } });
    tokens.current = { ...tokens.current, apiBaseUrl: 'https://moved.my.salesforce.com' };
    nock('https://moved.my.salesforce.com')
      .post(`${DATA}/composite/sobjects/Opportunity`)
      .reply(200, [null], { 'content-type': 'application/json' });
    expect(await connector.getRecords('deal', [sfId('006', 1)])).toEqual([null]);
    expect(INSTANCE).not.toContain('moved');
  });
});
