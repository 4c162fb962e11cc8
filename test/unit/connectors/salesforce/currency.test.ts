import nock from '../../../support/nock';
import {
  ORG_CURRENCY_CACHE_TTL_MS,
  ORG_CURRENCY_SOQL,
} from '../../../../src/connectors/salesforce/organization';
import {
  DATA,
  INSTANCE,
  describeOpportunity,
  forgetOrgMetadata,
  opportunity,
  salesforce,
  sf,
  sfId,
} from './sf-context';

/**
 * Which kind of org a connection is on, found from the org's Opportunity describe (cached per
 * connection): CurrencyIsoCode listed → a multi-currency org, whose deals are read with their own
 * currency; not listed → a single-currency org, whose deals carry `Organization.DefaultCurrencyIsoCode`.
 * `settings.multiCurrency` and `settings.currency` override the describe.
 */

/** Answers sObject Collections retrieve of Opportunity, recording the fields each call asked for. */
function retrieve(records: unknown[], asked: string[][], times = 1): void {
  sf()
    .post(`${DATA}/composite/sobjects/Opportunity`, (body: { fields: string[] }) => {
      asked.push(body.fields);
      return true;
    })
    .times(times)
    .reply(200, records);
}

/** The SOQL of a query request (nock hands the reply the path, or the fetch Request). */
function soqlOf(uri: string | { url: string }): string {
  return new URL(typeof uri === 'string' ? uri : uri.url, INSTANCE).searchParams.get('q') ?? '';
}

/** Answers one SOQL query on Opportunity (`/queryAll` for change feeds), recording its text. */
function soql(records: unknown[], asked: string[], resource: 'query' | 'queryAll' = 'query'): void {
  sf()
    .get(`${DATA}/${resource}`)
    .query((q) => String(q.q).includes('FROM Opportunity'))
    .reply(200, (uri) => {
      asked.push(soqlOf(uri));
      return { totalSize: records.length, done: true, records };
    });
}

function organization(currency: string): void {
  sf()
    .get(`${DATA}/query`)
    .query({ q: ORG_CURRENCY_SOQL })
    .reply(200, {
      totalSize: 1,
      done: true,
      records: [{ attributes: { type: 'Organization' }, DefaultCurrencyIsoCode: currency }],
    });
}

beforeEach(forgetOrgMetadata);

describe('a multi-currency org, found from its Opportunity describe', () => {
  it('selects CurrencyIsoCode and keeps each deal’s own currency, asking the org nothing else', async () => {
    const { connector, budget } = salesforce();
    const described = describeOpportunity(true);
    const fields: string[][] = [];
    retrieve(
      [opportunity(1, { CurrencyIsoCode: 'JPY' }), opportunity(2, { CurrencyIsoCode: 'EUR' }), null],
      fields,
    );
    const out = await connector.getRecords('deal', [sfId('006', 1), sfId('006', 2), sfId('006', 3)]);
    expect(out.map((r) => r?.fields.CurrencyIsoCode ?? null)).toEqual(['JPY', 'EUR', null]);
    expect(fields).toHaveLength(1);
    expect(fields[0]).toContain('CurrencyIsoCode');
    // One describe, one data call; no Organization query (nock fails on an unanswered one).
    expect(described.asked()).toBe(1);
    expect(budget.acquired).toHaveLength(2);
  });

  it('describes once per connection: later instances, lists and change feeds reuse it until the TTL', async () => {
    let now = 2_000_000;
    const described = describeOpportunity(true, 2);
    const fields: string[][] = [];
    retrieve([opportunity(1, { CurrencyIsoCode: 'GBP' })], fields);
    await salesforce({ now: () => now }).connector.getRecords('deal', [sfId('006', 1)]);

    const queries: string[] = [];
    soql([opportunity(2, { CurrencyIsoCode: 'CHF' })], queries);
    const page = await salesforce({ now: () => now }).connector.listRecords('deal', { pageSize: 10 });
    expect(page.items[0]?.fields.CurrencyIsoCode).toBe('CHF');
    soql([opportunity(3, { CurrencyIsoCode: 'CAD' })], queries, 'queryAll');
    const changes = await salesforce({ now: () => now }).connector.listChanges('deal', {
      since: new Date(now - 60_000),
    });
    expect(changes.items[0]?.record?.fields.CurrencyIsoCode).toBe('CAD');
    expect(queries).toHaveLength(2);
    for (const q of queries) expect(q).toMatch(/^SELECT .*\bCurrencyIsoCode\b.* FROM Opportunity/);
    expect(described.asked()).toBe(1);

    now += ORG_CURRENCY_CACHE_TTL_MS;
    retrieve([opportunity(1, { CurrencyIsoCode: 'GBP' })], fields);
    await salesforce({ now: () => now }).connector.getRecords('deal', [sfId('006', 1)]);
    expect(described.asked()).toBe(2);
  });

  it('reads contacts as configured, without describing Opportunity', async () => {
    const queries: string[] = [];
    sf()
      .get(`${DATA}/query`)
      .query((q) => String(q.q).includes('FROM Contact'))
      .reply(200, (uri) => {
        queries.push(soqlOf(uri));
        return { totalSize: 0, done: true, records: [] };
      });
    await salesforce().connector.listRecords('contact', { pageSize: 10 });
    expect(queries).toHaveLength(1);
    expect(queries[0]).not.toContain('CurrencyIsoCode');
  });

  it('a fresh describeFields refreshes what reads know, so the next read describes nothing', async () => {
    const { connector } = salesforce();
    describeOpportunity(true);
    expect((await connector.describeFields('deal')).map((f) => f.name)).toContain('CurrencyIsoCode');
    const fields: string[][] = [];
    retrieve([opportunity(1, { CurrencyIsoCode: 'JPY' })], fields);
    const [deal] = await connector.getRecords('deal', [sfId('006', 1)]);
    expect(deal?.fields.CurrencyIsoCode).toBe('JPY');
    expect(fields[0]).toContain('CurrencyIsoCode');
  });

  it('a failed describe fails the read and is not kept', async () => {
    const { connector } = salesforce();
    sf()
      .get(`${DATA}/sobjects/Opportunity/describe`)
      .reply(500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }]);
    await expect(connector.getRecords('deal', [sfId('006', 1)])).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });
    const described = describeOpportunity(true);
    const fields: string[][] = [];
    retrieve([opportunity(1, { CurrencyIsoCode: 'JPY' })], fields);
    expect((await connector.getRecords('deal', [sfId('006', 1)]))[0]?.fields.CurrencyIsoCode).toBe('JPY');
    expect(described.asked()).toBe(1);
  });
});

describe('a single-currency org, found from its Opportunity describe', () => {
  it('never selects CurrencyIsoCode (INVALID_FIELD there) and gives deals the org’s currency', async () => {
    const { connector } = salesforce();
    const described = describeOpportunity(false);
    organization('EUR');
    const queries: string[] = [];
    soql([opportunity(1), opportunity(2)], queries);
    const page = await connector.listRecords('deal', { pageSize: 10 });
    expect(page.items.map((r) => r.fields.CurrencyIsoCode)).toEqual(['EUR', 'EUR']);
    expect(queries[0]).not.toContain('CurrencyIsoCode');
    expect(described.asked()).toBe(1);
  });
});

describe('stated settings override the describe', () => {
  it('multiCurrency: true selects CurrencyIsoCode without describing', async () => {
    const fields: string[][] = [];
    retrieve([opportunity(1, { CurrencyIsoCode: 'JPY' })], fields);
    const [deal] = await salesforce({ settings: { multiCurrency: true } }).connector.getRecords('deal', [
      sfId('006', 1),
    ]);
    expect(deal?.fields.CurrencyIsoCode).toBe('JPY');
    expect(fields[0]).toContain('CurrencyIsoCode');
  });

  it('multiCurrency: false reads the org’s currency without describing', async () => {
    organization('SEK');
    const fields: string[][] = [];
    retrieve([opportunity(1)], fields);
    const [deal] = await salesforce({ settings: { multiCurrency: false } }).connector.getRecords('deal', [
      sfId('006', 1),
    ]);
    expect(deal?.fields.CurrencyIsoCode).toBe('SEK');
    expect(fields[0]).not.toContain('CurrencyIsoCode');
  });

  it('currency: a stated single-currency org — no describe, no Organization query', async () => {
    const fields: string[][] = [];
    retrieve([opportunity(1)], fields);
    const [deal] = await salesforce({ settings: { currency: 'NOK' } }).connector.getRecords('deal', [
      sfId('006', 1),
    ]);
    expect(deal?.fields.CurrencyIsoCode).toBe('NOK');
    expect(fields[0]).not.toContain('CurrencyIsoCode');
    expect(nock.pendingMocks()).toEqual([]);
  });
});
