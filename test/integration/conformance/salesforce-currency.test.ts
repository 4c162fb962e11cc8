import { type NativeRecord } from '../../../src/connectors/types';
import { type SalesforceConformanceSandbox, startSalesforceConformance } from './salesforce.target';
import { allChanges } from './walk';

/**
 * A deal's currency against the Salesforce sandbox, with nothing about the org stated on the
 * connection: the connector finds the kind of org from its Opportunity describe. A multi-currency org
 * (the sandbox's per-org `multiCurrency` setting) gives each deal its own CurrencyIsoCode, which must
 * survive every read path; a single-currency org's deals carry the org's currency. Calls are counted
 * from the sandbox's request log.
 */

const DESCRIBE = /^GET \/services\/data\/:version\/sobjects\/:type\/describe$/;

/** The SOQL texts the sandbox was sent since the last clear. */
function soqlSent(sb: SalesforceConformanceSandbox): string[] {
  return sb
    .log()
    .map((e) => new URL(e.url, 'http://sandbox').searchParams.get('q'))
    .filter((q): q is string => q !== null);
}

async function listAllDeals(sb: SalesforceConformanceSandbox): Promise<NativeRecord[]> {
  const out: NativeRecord[] = [];
  let cursor: string | null = null;
  do {
    const page = await sb.connector().listRecords('deal', { pageSize: 7, cursor });
    out.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return out;
}

describe('salesforce deal currency, learned from the org', () => {
  let sb: SalesforceConformanceSandbox | undefined;
  afterEach(async () => {
    await sb?.close();
    sb = undefined;
  });

  it('in a multi-currency org a deal in another currency keeps its own, on every read path', async () => {
    sb = await startSalesforceConformance({ counts: { contact: 5, deal: 12 } });
    await sb.setSettings({ currency: 'EUR', multiCurrency: true });
    const at = sb.now();
    const [yen] = sb.createAt(
      'deal',
      [
        {
          Name: 'Yen deal',
          StageName: 'Prospecting',
          CloseDate: '2026-12-31',
          Amount: 250000,
          CurrencyIsoCode: 'JPY',
        },
      ],
      at,
    );
    expect(sb.field('deal', yen!, 'CurrencyIsoCode')).toBe('JPY');
    sb.clearLog();

    const [byId] = await sb.connector().getRecords('deal', [yen!]);
    expect(byId?.fields).toMatchObject({ CurrencyIsoCode: 'JPY', Amount: 250000 });

    // Listed to the end: every deal with the currency the org holds for it (the seeded ones the corporate EUR).
    const listed = await listAllDeals(sb);
    expect(listed.length).toBe(sb.liveIds('deal').length);
    const s = sb;
    expect(listed.map((r) => [r.remoteId, r.fields.CurrencyIsoCode])).toEqual(
      listed.map((r) => [r.remoteId, s.field('deal', r.remoteId, 'CurrencyIsoCode')]),
    );
    expect(listed.find((r) => r.remoteId === yen)?.fields.CurrencyIsoCode).toBe('JPY');
    expect(listed.filter((r) => r.fields.CurrencyIsoCode === 'EUR').length).toBe(listed.length - 1);

    const changes = await allChanges(sb.connector('background'), 'deal', new Date(at - 1000));
    expect(changes.find((c) => c.remoteId === yen)?.record?.fields.CurrencyIsoCode).toBe('JPY');

    // One describe for the connection, however many reads; the org's default currency never asked.
    expect(sb.calls(DESCRIBE)).toBe(1);
    const sent = soqlSent(sb);
    expect(sent.filter((q) => /FROM Organization/i.test(q))).toEqual([]);
    expect(sent.filter((q) => /FROM Opportunity/.test(q)).every((q) => q.includes('CurrencyIsoCode'))).toBe(
      true,
    );
  });

  it('in a single-currency org every deal carries the org’s currency and CurrencyIsoCode is never selected', async () => {
    sb = await startSalesforceConformance({ counts: { contact: 5, deal: 12 } });
    await sb.setSettings({ currency: 'GBP' });
    sb.clearLog();
    const listed = await listAllDeals(sb);
    expect(listed.length).toBe(sb.liveIds('deal').length);
    expect(new Set(listed.map((r) => r.fields.CurrencyIsoCode))).toEqual(new Set(['GBP']));
    const [one] = await sb.connector().getRecords('deal', [listed[0]!.remoteId]);
    expect(one?.fields.CurrencyIsoCode).toBe('GBP');
    expect(sb.calls(DESCRIBE)).toBe(1);
    const sent = soqlSent(sb);
    expect(sent.filter((q) => /FROM Organization/.test(q))).toHaveLength(1);
    const deals = sent.filter((q) => /FROM Opportunity/.test(q));
    expect(deals.length).toBeGreaterThan(1);
    expect(deals.filter((q) => q.includes('CurrencyIsoCode'))).toEqual([]);
    // The sandbox refuses the field here, as Salesforce does: reading it would have failed the list.
    expect(sb.log().filter((e) => e.status >= 400)).toEqual([]);
  });
});
