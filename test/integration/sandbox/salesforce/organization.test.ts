// The Organization sobject and the org's currency: single-currency orgs have no CurrencyIsoCode on
// records (selecting it is INVALID_FIELD); multi-currency orgs give every record its own.
import { V, startSalesforce, type Salesforce } from './helpers';

let s: Salesforce;
beforeEach(async () => {
  s = await startSalesforce({ Account: 3, Contact: 5, Opportunity: 6 });
});
afterEach(() => s.close());

const query = (soql: string) => s.sf('GET', `${V}/query?q=${encodeURIComponent(soql)}`);
const settings = (body: unknown) => s.admin('PATCH', 'default/settings', body);

describe('Organization', () => {
  it('is one row with the org id (00D…), its name and default currency (USD unless set)', async () => {
    const res = await query('SELECT Id, Name, DefaultCurrencyIsoCode FROM Organization');
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      totalSize: 1,
      done: true,
      records: [
        {
          attributes: {
            type: 'Organization',
            url: `${V}/sobjects/Organization/${s.server.org('default').state.orgId}`,
          },
          Id: s.server.org('default').state.orgId,
          Name: 'Sandbox Org (default)',
          DefaultCurrencyIsoCode: 'USD',
        },
      ],
    });
    expect(s.server.org('default').state.orgId).toMatch(/^00D[A-Za-z0-9]{15}$/);
    // Each org its own row.
    const other = await s.sf('GET', `${V}/query?q=${encodeURIComponent('SELECT Id FROM Organization')}`, {
      token: s.token('other'),
    });
    expect(other.json.records).toEqual([expect.objectContaining({ Id: s.server.org('other').state.orgId })]);
  });

  it('follows the currency setting, validated as an ISO code', async () => {
    expect((await settings({ currency: 'EUR' })).status).toBe(200);
    const res = await query('SELECT DefaultCurrencyIsoCode FROM Organization');
    expect(res.json.records[0].DefaultCurrencyIsoCode).toBe('EUR');
    expect((await settings({ currency: 'euro' })).status).toBe(400);
    // A multi-currency org's corporate currency must be one of its active currencies.
    expect((await settings({ currency: 'XTS', multiCurrency: true })).status).toBe(400);
  });

  it('is described and retrievable, and read-only', async () => {
    const d = await s.sf('GET', `${V}/sobjects/Organization/describe`);
    expect(d.status).toBe(200);
    expect(d.json).toMatchObject({
      name: 'Organization',
      keyPrefix: '00D',
      createable: false,
      updateable: false,
    });
    expect(d.json.fields.map((f: { name: string }) => f.name)).toEqual(
      expect.arrayContaining(['Id', 'Name', 'DefaultCurrencyIsoCode']),
    );
    const global = (await s.sf('GET', `${V}/sobjects`)).json;
    expect(global.sobjects.map((o: { name: string }) => o.name)).toContain('Organization');
    const id = s.server.org('default').state.orgId;
    const row = await s.sf('GET', `${V}/sobjects/Organization/${id}?fields=DefaultCurrencyIsoCode`);
    expect(row.json).toMatchObject({ Id: id, DefaultCurrencyIsoCode: 'USD' });
    const write = await s.sf('PATCH', `${V}/sobjects/Organization/${id}`, { body: { Name: 'x' } });
    expect(write.status).toBe(400);
    expect(write.json[0].errorCode).toBe('INSUFFICIENT_ACCESS_OR_READONLY');
  });
});

describe('record currency', () => {
  it('single-currency (default): records have no CurrencyIsoCode, and SOQL refuses it', async () => {
    const res = await query('SELECT Id, CurrencyIsoCode FROM Opportunity');
    expect(res.status).toBe(400);
    expect(res.json[0].errorCode).toBe('INVALID_FIELD');
    const d = (await s.sf('GET', `${V}/sobjects/Opportunity/describe`)).json;
    expect(d.fields.map((f: { name: string }) => f.name)).not.toContain('CurrencyIsoCode');
    const created = await s.sf('POST', `${V}/sobjects/Account`, {
      body: { Name: 'Acme', CurrencyIsoCode: 'EUR' },
    });
    expect(created.status).toBe(400);
    expect(created.json[0].errorCode).toBe('INVALID_FIELD');
  });

  it('multi-currency: every Account, Contact and Opportunity carries one, defaulted to the corporate currency', async () => {
    expect((await settings({ multiCurrency: true, currency: 'EUR' })).status).toBe(200);
    for (const object of ['Account', 'Contact', 'Opportunity']) {
      const res = await query(`SELECT Id, CurrencyIsoCode FROM ${object}`);
      expect(res.status).toBe(200);
      expect(res.json.records.length).toBeGreaterThan(0);
      for (const r of res.json.records) expect(r.CurrencyIsoCode).toBe('EUR');
    }
    const d = (await s.sf('GET', `${V}/sobjects/Opportunity/describe`)).json;
    expect(d.fields.find((f: { name: string }) => f.name === 'CurrencyIsoCode')).toMatchObject({
      type: 'picklist',
      restrictedPicklist: true,
      defaultedOnCreate: true,
    });
    const jpy = await s.sf('POST', `${V}/sobjects/Opportunity`, {
      body: {
        Name: 'Yen deal',
        StageName: 'Prospecting',
        CloseDate: '2030-01-01',
        Amount: 5,
        CurrencyIsoCode: 'JPY',
      },
    });
    expect(jpy.status).toBe(201);
    const plain = await s.sf('POST', `${V}/sobjects/Opportunity`, {
      body: { Name: 'Euro deal', StageName: 'Prospecting', CloseDate: '2030-01-01' },
    });
    const rows = await query(
      `SELECT Id, CurrencyIsoCode FROM Opportunity WHERE Id IN ('${jpy.json.id}', '${plain.json.id}') ORDER BY Name DESC`,
    );
    expect(rows.json.records.map((r: { CurrencyIsoCode: string }) => r.CurrencyIsoCode)).toEqual([
      'JPY',
      'EUR',
    ]);
    const bad = await s.sf('PATCH', `${V}/sobjects/Opportunity/${plain.json.id}`, {
      body: { CurrencyIsoCode: 'XTS' },
    });
    expect(bad.status).toBe(400);
    expect(bad.json[0].errorCode).toBe('INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST');
    // Relationship paths resolve in the org's schema too.
    const viaAccount = await query(
      'SELECT Id, Account.CurrencyIsoCode FROM Opportunity WHERE AccountId != null LIMIT 1',
    );
    expect(viaAccount.json.records[0].Account.CurrencyIsoCode).toBe('EUR');
  });
});
