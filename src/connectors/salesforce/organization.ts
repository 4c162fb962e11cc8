import { CrmUpstreamError } from '../../errors';
import { type SalesforceApi } from './api-context';
import { queryFirst } from './query';

/**
 * The org's default currency, `Organization.DefaultCurrencyIsoCode`: in a single-currency org, where
 * records have no CurrencyIsoCode field, it is the currency of every amount. Learned with one SOQL
 * query (the Organization object has exactly one row) the first time a connection reads deals, and kept
 * in-process per connection for {@link ORG_CURRENCY_CACHE_TTL_MS}, like other metadata: the currency of
 * an org with amounts in it is all but fixed, and one query per connection every few minutes costs
 * nothing against the daily allocation. A failed read is not kept, and fails the read that needed it:
 * a deal stored with currency null would misstate its amount until it next changed.
 */

export const ORG_CURRENCY_SOQL = 'SELECT DefaultCurrencyIsoCode FROM Organization';

export const ORG_CURRENCY_CACHE_TTL_MS = 15 * 60 * 1000;

interface CacheEntry {
  at: number;
  currency: Promise<string>;
}

const cache = new Map<string, CacheEntry>();

async function fetchOrgCurrency(api: SalesforceApi): Promise<string> {
  const result = await queryFirst(api, ORG_CURRENCY_SOQL);
  const code = result.records[0]?.DefaultCurrencyIsoCode;
  if (typeof code !== 'string' || !/^[A-Z]{3}$/.test(code)) {
    throw new CrmUpstreamError(
      `Salesforce Organization has no DefaultCurrencyIsoCode (got ${JSON.stringify(code ?? null)})`,
      { crm: api.crm },
    );
  }
  return code;
}

/** The org's default currency for this connection, from cache when fresh. */
export function orgDefaultCurrency(api: SalesforceApi, connectionId: string): Promise<string> {
  const now = api.now();
  const hit = cache.get(connectionId);
  if (hit && now - hit.at < ORG_CURRENCY_CACHE_TTL_MS) return hit.currency;
  const currency = fetchOrgCurrency(api);
  // Concurrent readers of one connection share the query in flight.
  cache.set(connectionId, { at: now, currency });
  currency.catch(() => {
    if (cache.get(connectionId)?.currency === currency) cache.delete(connectionId);
  });
  return currency;
}

/** Forgets learned currencies (one connection's, or all: between tests). */
export function forgetOrgCurrency(connectionId?: string): void {
  if (connectionId === undefined) cache.clear();
  else cache.delete(connectionId);
}
