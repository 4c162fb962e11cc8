import { CrmNotFoundError, CrmUpstreamError } from '../../errors';
import { type WriteResult } from '../types';
import { classOfCode } from './errors';
import { CRM } from './zoho.constants';
import { type ZohoResultItem } from './wire.types';

/**
 * One record's outcome of a write, from its item in the answer's `data`
 * (docs/vendors/zoho.md "Connector: writes"): `status: "success"` with the record's id in `details`, or an error `code` with
 * what is wrong. An update naming an id Zoho does not have is refused as `INVALID_DATA` on `id`: the
 * record is not found.
 */
export function resultOf(
  ref: string,
  item: ZohoResultItem | undefined,
  remoteId?: string,
  created = false,
): WriteResult {
  if (!item) {
    return {
      ref,
      ok: false,
      error: new CrmUpstreamError(`${CRM} answered a write without an outcome for this record`, { crm: CRM }),
    };
  }
  const id = typeof item.details?.id === 'string' ? item.details.id : remoteId;
  if ((item.status === 'success' || item.code === 'SUCCESS') && id) {
    return { ref, ok: true, remoteId: id, created };
  }
  const field = typeof item.details?.api_name === 'string' ? item.details.api_name : undefined;
  const ErrorClass =
    item.code === 'INVALID_DATA' && field === 'id' ? CrmNotFoundError : classOfCode(item.code, 400);
  const message = `${CRM} refused the record: ${item.code ?? 'error'}${field ? ` on ${field}` : ''}: ${(item.message ?? '').slice(0, 200)}`;
  return { ref, ok: false, error: new ErrorClass(message, { crm: CRM, status: 400, vendorCode: item.code }) };
}
