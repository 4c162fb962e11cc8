import { CrmUpstreamError } from '../../errors';
import { type VendorRequest } from '../http/vendor-request';
import { type PipedriveApi } from './api-context';
import { type EndpointClass } from './declaration';
import { CRM } from './pipedrive.constants';
import { type PdEnvelope } from './wire.types';

/**
 * One Pipedrive call: the request names its endpoint class, which the daily token budget prices
 * (`declaration.ts` `TOKEN_COSTS`), and the answer's `{success, data, additional_data}` envelope is
 * checked (docs/vendors/pipedrive.md "Connector: errors and refusals"). A 2xx without the envelope is a vendor fault
 * worth naming rather than an empty result.
 */
export async function pdRequest<T>(
  api: PipedriveApi,
  endpoint: EndpointClass,
  req: Omit<VendorRequest, 'endpoint'>,
): Promise<PdEnvelope<T>> {
  const res = await api.http.request<PdEnvelope<T>>({ ...req, endpoint });
  const body = res.body;
  if (!body || typeof body !== 'object' || Array.isArray(body) || body.success !== true) {
    throw new CrmUpstreamError(
      `Pipedrive answered ${req.method} ${req.url} with HTTP ${res.status} but no success envelope`,
      { crm: CRM, status: res.status, vendorRequestId: res.requestId },
    );
  }
  return body;
}

/** A record id as Pipedrive issues them: a positive integer, the only thing that may enter a path. */
export function isRecordId(id: string): boolean {
  return /^[1-9][0-9]{0,15}$/.test(id);
}
