import { CrmUpstreamError } from '../../errors';
import { type SalesforceApi } from './api-context';
import { ConnectionCache, METADATA_CACHE_TTL_MS } from './connection-cache';
import { queryFirst } from './query';

/**
 * The org's default currency, `Organization.DefaultCurrencyIsoCode`: in a single-currency org, where
 * records have no CurrencyIsoCode field, it is the currency of every amount. Learned with one SOQL
 * query (the Organization object has exactly one row) the first time a connection reads deals, and kept
 * in-process per connection for {@link ORG_CURRENCY_CACHE_TTL_MS} (`connection-cache.ts`): the currency
 * of an org with amounts in it is all but fixed, and one query per connection every few minutes costs
 * nothing against the daily allocation. A failed read is not kept, and fails the read that needed it:
 * a deal stored with currency null would misstate its amount until it next changed.
 */

export const ORG_CURRENCY_SOQL = 'SELECT DefaultCurrencyIsoCode FROM Organization';

export const ORG_CURRENCY_CACHE_TTL_MS = METADATA_CACHE_TTL_MS;

const cache = new ConnectionCache<string>(ORG_CURRENCY_CACHE_TTL_MS);

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
export function orgDefaultCurrency(api: SalesforceApi): Promise<string> {
  return cache.get(api.connectionId, api.now(), () => fetchOrgCurrency(api));
}

/** Forgets learned currencies (one connection's, or all: between tests). */
export function forgetOrgCurrency(connectionId?: string): void {
  cache.forget(connectionId);
}
