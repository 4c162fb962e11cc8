import nock from '../../../support/nock';
import { parseSalesforceSettings, withOrgCurrency } from '../../../../src/connectors/salesforce/objects';
import {
  ORG_CURRENCY_CACHE_TTL_MS,
  ORG_CURRENCY_SOQL,
  forgetOrgCurrency,
} from '../../../../src/connectors/salesforce/organization';
import { type NativeRecord } from '../../../../src/connectors/types';
import { BadUserInputError } from '../../../../src/errors';
import {
  DATA,
  describeOpportunity,
  forgetOrgMetadata,
  opportunity,
  salesforce,
  sf,
  sfId,
} from './sf-context';

/**
 * The currency of a single-currency org, which has no CurrencyIsoCode field: learned from
 * `Organization.DefaultCurrencyIsoCode`, or stated by `settings.currency`.
 */

const deal = (fields: NativeRecord['fields'] = { Amount: 1200.5 }): NativeRecord => ({
  remoteId: '006000000000001AAA',
  fields,
  updatedAt: null,
  isDeleted: false,
});

describe('Salesforce org currency', () => {
  it('gives every deal of a single-currency org the configured currency, under CurrencyIsoCode', () => {
    const settings = parseSalesforceSettings({ currency: 'EUR' });
    expect(settings.orgCurrency).toBe('EUR');
    expect(withOrgCurrency(settings, 'deal', deal()).fields).toEqual({
      Amount: 1200.5,
      CurrencyIsoCode: 'EUR',
    });
    // Contacts have no amount, so no currency.
    expect(withOrgCurrency(settings, 'contact', deal({ Email: 'a@b.c' })).fields).toEqual({ Email: 'a@b.c' });
  });

  it("keeps a multi-currency org's own per-record currency and never selects a field it lacks", () => {
    const multi = parseSalesforceSettings({ multiCurrency: true, currency: 'EUR' });
    expect(multi.orgCurrency).toBeNull();
    const own = deal({ Amount: 3, CurrencyIsoCode: 'JPY' });
    expect(withOrgCurrency(multi, 'deal', own)).toBe(own);
    expect(parseSalesforceSettings({ currency: 'EUR' }).fields.deal).not.toContain('CurrencyIsoCode');
  });

  it('states no currency when the connection does not (the connector then learns the org’s)', () => {
    const settings = parseSalesforceSettings({});
    expect(settings.orgCurrency).toBeNull();
    // Neither kind of org stated: the org's Opportunity describe decides (currency.ts).
    expect(settings.multiCurrency).toBeNull();
    expect(settings.fields.deal).not.toContain('CurrencyIsoCode');
    expect(withOrgCurrency(settings, 'deal', deal()).fields).toEqual({ Amount: 1200.5 });
  });

  it.each(['eur', 'EURO', 'E1R', ''])('rejects %j as a currency, naming the setting', (currency) => {
    expect(() => parseSalesforceSettings({ currency })).toThrow(BadUserInputError);
    expect(() => parseSalesforceSettings({ currency })).toThrow(/currency/);
  });
});

const contact = (n: number) => ({
  attributes: { type: 'Contact', url: `${DATA}/sobjects/Contact/${sfId('003', n)}` },
  Id: sfId('003', n),
  LastName: `Last${n}`,
  LastModifiedDate: '2024-05-20T20:49:32.000+0000',
  SystemModstamp: '2024-05-20T20:49:32.000+0000',
});

/** Answers the Organization query (docs/vendors/salesforce.md "SOQL query and queryAll" query result shape: one row) `times` times; counts the calls. */
function organization(currency: unknown, times = 1): { asked: () => number } {
  let asked = 0;
  sf()
    .get(`${DATA}/query`)
    .query({ q: ORG_CURRENCY_SOQL })
    .times(times)
    .reply(200, () => {
      asked += 1;
      return {
        totalSize: 1,
        done: true,
        records: [
          {
            attributes: { type: 'Organization', url: `${DATA}/sobjects/Organization/00Dxx0000001gPLEAY` },
            DefaultCurrencyIsoCode: currency,
          },
        ],
      };
    });
  return { asked: () => asked };
}

function retrieve(records: unknown[], times = 1): void {
  sf().post(`${DATA}/composite/sobjects/Opportunity`).times(times).reply(200, records);
}

describe('the org currency, learned', () => {
  beforeEach(forgetOrgMetadata);

  it('asks the org once with SOQL on the first deal read and gives every deal its currency', async () => {
    let now = 1_000_000;
    const { connector, budget } = salesforce({ now: () => now });
    // A single-currency org: its Opportunity describe has no CurrencyIsoCode.
    const described = describeOpportunity(false);
    const org = organization('EUR');
    retrieve([opportunity(1), null, opportunity(3)]);
    const out = await connector.getRecords('deal', [sfId('006', 1), sfId('006', 2), sfId('006', 3)]);
    expect(out.map((r) => r?.fields.CurrencyIsoCode ?? null)).toEqual(['EUR', null, 'EUR']);
    expect(out[0]?.fields.Amount).toBe(1001);
    expect([described.asked(), org.asked()]).toEqual([1, 1]);
    // The lookups are ordinary vendor calls: they draw on the connection's budget.
    expect(budget.acquired).toHaveLength(3);

    // Cached per connection, also for a new connector instance (one per request or job).
    now += ORG_CURRENCY_CACHE_TTL_MS - 1;
    const again = salesforce({ now: () => now }).connector;
    sf()
      .get(`${DATA}/query`)
      .query((q) => String(q.q).includes('FROM Opportunity'))
      .reply(200, { totalSize: 1, done: true, records: [opportunity(4)] });
    const page = await again.listRecords('deal', { pageSize: 200 });
    expect(page.items[0]?.fields.CurrencyIsoCode).toBe('EUR');
    expect([described.asked(), org.asked()]).toEqual([1, 1]);
  });

  it('asks again once the cached answer is older than the TTL, and not for a failed answer', async () => {
    let now = 5_000_000;
    const { connector } = salesforce({ now: () => now });
    // Described once before the TTL, once after.
    const described = describeOpportunity(false, 2);
    sf()
      .get(`${DATA}/query`)
      .query({ q: ORG_CURRENCY_SOQL })
      .reply(200, { totalSize: 0, done: true, records: [] });
    retrieve([opportunity(1)], 3);
    // An org that does not say its currency fails the read: null would misstate the amount.
    await expect(connector.getRecords('deal', [sfId('006', 1)])).rejects.toMatchObject({ code: 'UPSTREAM' });
    const org = organization('GBP');
    expect((await connector.getRecords('deal', [sfId('006', 1)]))[0]?.fields.CurrencyIsoCode).toBe('GBP');
    now += ORG_CURRENCY_CACHE_TTL_MS;
    const later = organization('JPY');
    expect((await connector.getRecords('deal', [sfId('006', 1)]))[0]?.fields.CurrencyIsoCode).toBe('JPY');
    expect([org.asked(), later.asked()]).toEqual([1, 1]);
    expect(described.asked()).toBe(2);
  });

  it('shares one query between concurrent reads of a connection; forgotten, it is asked again', async () => {
    const { connector } = salesforce();
    const described = describeOpportunity(false);
    const org = organization('CHF');
    retrieve([opportunity(1)], 2);
    const [a, b] = await Promise.all([
      connector.getRecords('deal', [sfId('006', 1)]),
      connector.getRecords('deal', [sfId('006', 1)]),
    ]);
    expect([a[0]?.fields.CurrencyIsoCode, b[0]?.fields.CurrencyIsoCode]).toEqual(['CHF', 'CHF']);
    expect([described.asked(), org.asked()]).toEqual([1, 1]);
    forgetOrgCurrency('conn-1');
    const next = organization('CAD');
    retrieve([opportunity(1)]);
    expect((await connector.getRecords('deal', [sfId('006', 1)]))[0]?.fields.CurrencyIsoCode).toBe('CAD');
    expect(next.asked()).toBe(1);
  });

  it('does not ask for contacts, a multi-currency org, deals with their own currency, or a stated currency', async () => {
    sf()
      .get(`${DATA}/query`)
      .query((q) => String(q.q).includes('FROM Contact'))
      .reply(200, { totalSize: 1, done: true, records: [contact(1)] });
    const contacts = await salesforce().connector.getRecords('contact', [sfId('003', 1)]);
    expect(contacts[0]?.fields.CurrencyIsoCode).toBeUndefined();

    retrieve([opportunity(1, { CurrencyIsoCode: 'JPY' }), opportunity(2, { CurrencyIsoCode: null })]);
    const multi = await salesforce({ settings: { multiCurrency: true } }).connector.getRecords('deal', [
      sfId('006', 1),
      sfId('006', 2),
    ]);
    // A multi-currency record's own currency, and null kept as the org sent it.
    expect(multi.map((r) => r?.fields.CurrencyIsoCode)).toEqual(['JPY', null]);

    retrieve([opportunity(1)]);
    const stated = await salesforce({ settings: { currency: 'EUR' } }).connector.getRecords('deal', [
      sfId('006', 1),
    ]);
    expect(stated[0]?.fields.CurrencyIsoCode).toBe('EUR');
    // No Organization query was answered: nock would fail the test on an unmatched or unused one.
    expect(nock.pendingMocks()).toEqual([]);
  });
});
