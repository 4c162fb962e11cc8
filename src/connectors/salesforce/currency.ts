import { type CrmObject, type NativeRecord } from '../types';
import { type SalesforceApi } from './api-context';
import { describedFieldNames } from './describe';
import { CURRENCY_FIELD, lacksCurrency, withOrgCurrency, withRecordCurrency } from './objects';
import { orgDefaultCurrency } from './organization';

/**
 * Where a deal's currency comes from. In a multi-currency org each Opportunity carries its own
 * `CurrencyIsoCode`, and describe lists that field; in a single-currency org the field does not exist
 * (selecting it is INVALID_FIELD) and every amount is in the org's currency (`organization.ts`). The
 * connection may state either (`settings.multiCurrency`, or `settings.currency`, which implies a
 * single-currency org); otherwise the org's Opportunity describe decides, asked once per connection
 * and TTL (`describe.ts`), before the first deal read selects its fields. Describe does not list a
 * field the integration user may not see: such an org reads as single-currency, its deals in the
 * org's currency — the best the connection can know.
 */

export interface CurrencyReading {
  /** The API with the fields to select: CurrencyIsoCode added when records carry it. */
  api: SalesforceApi;
  /** Records carry their own currency: nothing is filled in from the org. */
  perRecord: boolean;
}

async function dealsCarryCurrency(api: SalesforceApi): Promise<boolean> {
  const { multiCurrency, orgCurrency } = api.settings;
  if (multiCurrency !== null) return multiCurrency;
  if (orgCurrency !== null) return false;
  return (await describedFieldNames(api, 'deal')).has(CURRENCY_FIELD);
}

/** How reads of `obj` get their currency; contacts have no amount and are read as configured. */
export async function currencyReading(api: SalesforceApi, obj: CrmObject): Promise<CurrencyReading> {
  if (obj !== 'deal') return { api, perRecord: false };
  if (!(await dealsCarryCurrency(api))) return { api, perRecord: false };
  // A stated multi-currency org already selects the field (objects.ts); a detected one adds it here.
  const settings = api.settings.multiCurrency ? api.settings : withRecordCurrency(api.settings);
  return { api: { ...api, settings }, perRecord: true };
}

/**
 * The records of a single-currency org with the org's currency under CurrencyIsoCode (objects.ts
 * `withOrgCurrency`): the stated one, else the org's own, asked only when a deal read lacks one.
 */
export async function withCurrency<T extends NativeRecord | null>(
  reading: CurrencyReading,
  obj: CrmObject,
  records: readonly T[],
): Promise<T[]> {
  if (reading.perRecord || !records.some((r) => r !== null && lacksCurrency(obj, r))) return [...records];
  const { api } = reading;
  const orgCurrency = api.settings.orgCurrency ?? (await orgDefaultCurrency(api));
  return records.map((r) => (r === null ? r : (withOrgCurrency({ orgCurrency }, obj, r) as T)));
}
