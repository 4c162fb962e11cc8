import { CrmUpstreamError } from '../../errors';
import { type AccountIdentity } from '../types';
import { type DynamicsApi } from './api-context';
import { CRM } from './dynamics.constants';
import { isGuid, webApiRequest } from './webapi';

interface WhoAmIResponse {
  OrganizationId?: unknown;
}

/**
 * The organization the connection's credentials act in (docs/vendors/dynamics.md "WhoAmI"): its id is
 * the account every webhook delivery names. Client credentials and a person's delegated token answer
 * alike; the app is not part of how Dataverse counts its limits, so none is stored.
 */
export async function identify(api: DynamicsApi): Promise<AccountIdentity> {
  const res = await webApiRequest<WhoAmIResponse>(api, { method: 'GET', resource: 'WhoAmI' });
  const organization = res.body?.OrganizationId;
  if (typeof organization !== 'string' || !isGuid(organization)) {
    throw new CrmUpstreamError('Dataverse WhoAmI named no organization id', { crm: CRM });
  }
  return { accountId: organization.toLowerCase(), appId: null };
}
