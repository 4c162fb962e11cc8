import { CrmUpstreamError } from '../../errors';
import { type AccountIdentity } from '../types';
import { type ZohoApi } from './api-context';
import { ENDPOINT } from './declaration';
import { MetadataCache } from './metadata-cache';
import { zohoRequest } from './request';
import { CRM, PATHS } from './zoho.constants';
import { type ZohoOrg } from './wire.types';

/**
 * The org the token acts in (`GET /org`, docs/vendors/zoho.md "Connector: identity and currency"): its
 * id is the account the credit budget and notifications are keyed by, and its ISO currency the currency
 * of every deal amount in an org without multi-currency.
 */

type OrgFacts = { id: string; zgid: string; currency: string | null };

const cache = new MetadataCache<OrgFacts>(60 * 60 * 1000);

async function readOrg(api: ZohoApi): Promise<OrgFacts> {
  const res = await zohoRequest<{ org: ZohoOrg[] }>(api, ENDPOINT.read, { method: 'GET', url: PATHS.org });
  const org = res.org?.[0];
  const id = org?.id;
  if (typeof id !== 'string' || id === '') {
    throw new CrmUpstreamError('Zoho CRM answered GET /org without an org id', { crm: CRM });
  }
  const iso = org?.iso_code ?? org?.currency;
  const zgid = typeof org?.zgid === 'string' && org.zgid !== '' ? org.zgid : id;
  return { id, zgid, currency: typeof iso === 'string' && /^[A-Z]{3}$/.test(iso) ? iso : null };
}

export function orgOf(api: ZohoApi): Promise<OrgFacts> {
  return cache.get(api.connectionId, api.now(), () => readOrg(api));
}

/** The org id; no app id (a Zoho token response does not name the client). */
export async function identify(api: ZohoApi): Promise<AccountIdentity> {
  return { accountId: (await readOrg(api)).id, appId: null };
}
