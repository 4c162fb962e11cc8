import { parseSalesforceSettings, withOrgCurrency } from '../../../../src/connectors/salesforce/objects';
import { type NativeRecord } from '../../../../src/connectors/types';
import { BadUserInputError } from '../../../../src/errors';

/** `settings.currency`: the currency of a single-currency org, which has no CurrencyIsoCode field. */

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

  it('leaves currency unknown (null downstream) when a single-currency org does not say it', () => {
    const settings = parseSalesforceSettings({});
    expect(settings.orgCurrency).toBeNull();
    expect(withOrgCurrency(settings, 'deal', deal()).fields).toEqual({ Amount: 1200.5 });
  });

  it.each(['eur', 'EURO', 'E1R', ''])('rejects %j as a currency, naming the setting', (currency) => {
    expect(() => parseSalesforceSettings({ currency })).toThrow(BadUserInputError);
    expect(() => parseSalesforceSettings({ currency })).toThrow(/currency/);
  });
});
