import { CrmError, CrmUpstreamError } from '../../errors';
import { type VendorRequest, type VendorResponse } from '../http/vendor-request';
import { type ZohoApi } from './api-context';
import { ENDPOINT, type EndpointClass } from './declaration';
import { refusedWriteItems } from './errors';
import { CRM } from './zoho.constants';
import { type ZohoResultItem } from './wire.types';

/**
 * One Zoho call: the request names its endpoint class, which the credit budget prices
 * (`declaration.ts` `CREDIT_COSTS`). A 204 (nothing matched) or 304 (nothing modified since) has no body
 * and reads as `{}`; any other 2xx must be a JSON object (docs/vendors/zoho.md "Connector: errors").
 */
export async function zohoRequest<T extends object>(
  api: ZohoApi,
  endpoint: EndpointClass,
  req: Omit<VendorRequest, 'endpoint'>,
): Promise<Partial<T>> {
  let res: VendorResponse<T | null>;
  try {
    res = await api.http.request<T | null>({ ...req, endpoint });
  } catch (err) {
    // Nothing modified since `If-Modified-Since`: the shared client calls a 304 a refusal.
    if (err instanceof CrmError && err.status === 304) return {};
    throw err;
  }
  if (res.status === 204 || res.status === 304 || res.body === null || res.body === undefined) return {};
  if (typeof res.body !== 'object' || Array.isArray(res.body)) {
    throw new CrmUpstreamError(
      `Zoho CRM answered ${req.method} ${req.url} with HTTP ${res.status} but no JSON object`,
      {
        crm: CRM,
        status: res.status,
        vendorRequestId: res.requestId,
      },
    );
  }
  return res.body;
}

/** A record id as Zoho issues them (digits, about 19): the only thing that may enter a path or a query. */
export function isRecordId(id: string): boolean {
  return /^[1-9][0-9]{0,24}$/.test(id);
}

/**
 * A write's per-record items (`data`), whether Zoho answered 2xx or refused every record with a 400
 * that carries them (`errors.ts`); any other refusal is thrown.
 */
export async function writeItems(
  api: ZohoApi,
  req: Omit<VendorRequest, 'endpoint'>,
): Promise<ZohoResultItem[]> {
  try {
    const res = await zohoRequest<{ data: ZohoResultItem[] }>(api, ENDPOINT.write, req);
    return res.data ?? [];
  } catch (err) {
    const items = refusedWriteItems(err);
    if (items) return items;
    throw err;
  }
}
