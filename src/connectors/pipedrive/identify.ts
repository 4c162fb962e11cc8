import { CrmUpstreamError } from '../../errors';
import { type AccountIdentity } from '../types';
import { type PipedriveApi } from './api-context';
import { ENDPOINT } from './declaration';
import { CRM, PATHS } from './pipedrive.constants';
import { pdRequest } from './request';

/**
 * The company the credentials act in (`GET /api/v1/users/me`, docs/vendors/pipedrive.md "Connector: company identity"): its id is what the daily token budget is counted per and what every webhook names
 * (`meta.company_id`). API tokens and OAuth tokens answer alike; Pipedrive names no app.
 */
export async function identify(api: PipedriveApi): Promise<AccountIdentity> {
  const res = await pdRequest<{ company_id?: unknown }>(api, ENDPOINT.legacyGet, {
    method: 'GET',
    url: PATHS.currentUser,
  });
  const company = res.data?.company_id;
  if (
    (typeof company !== 'number' && typeof company !== 'string') ||
    !/^[1-9][0-9]*$/.test(String(company))
  ) {
    throw new CrmUpstreamError('Pipedrive users/me named no company id', { crm: CRM });
  }
  return { accountId: String(company), appId: null };
}
