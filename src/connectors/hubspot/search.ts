import { type VendorHttpClient } from '../http/vendor-client';
import { type CrmObject } from '../types';
import { PATHS } from './hubspot.constants';
import { type HsSearchRequest, type HsSearchResponse } from './wire.types';

/**
 * The CRM search endpoint (B6). HubSpot counts it apart — 5 requests per second per account, outside
 * the burst limit, with no `X-HubSpot-RateLimit-*` headers to learn from — so a search draws on the
 * declared `search` budget only (`config/crms.ts`): one Redis count per portal that every process and
 * connection shares, with the interactive reserve, and a RATE_LIMITED refusal with `retryAfterMs` for
 * background work instead of a sleep.
 */

/** The declared budget searches draw on. */
export const SEARCH_BUDGET = 'search';

export async function search(
  http: VendorHttpClient,
  obj: CrmObject,
  body: HsSearchRequest,
): Promise<HsSearchResponse> {
  const res = await http.request<HsSearchResponse>({
    method: 'POST',
    url: PATHS.search(obj),
    json: body,
    // A query sent as POST: safe to resend.
    idempotent: true,
    budgets: [SEARCH_BUDGET],
  });
  return res.body ?? { total: 0, results: [] };
}
