import { type VendorHttpClient } from '../http/vendor-client';
import { type CrmObject } from '../types';
import { PATHS, SEARCH_PER_SECOND } from './hubspot.constants';
import { type HsSearchRequest, type HsSearchResponse } from './wire.types';

/**
 * The CRM search endpoint (B6). It has its own limit — 5 requests per second per account, no
 * `X-HubSpot-RateLimit-*` headers to learn from — so calls are paced here, per account, before they go
 * through the shared client (whose budget gate and 429 handling still apply, and cover other processes).
 */

const recent = new Map<string, number[]>();

/**
 * Our second is a little longer than HubSpot's: requests leave here in order but arrive after
 * different delays, and two of them sent 1,000 ms apart may land 990 ms apart at the vendor.
 */
const WINDOW_MS = 1200;

/** Waits until a search slot is free for `account` within the rolling window, then takes it. */
export async function takeSearchSlot(
  account: string,
  perSecond: number = SEARCH_PER_SECOND,
  now: () => number = Date.now,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<void> {
  for (;;) {
    const t = now();
    const hits = (recent.get(account) ?? []).filter((h) => h > t - WINDOW_MS);
    if (hits.length < perSecond) {
      hits.push(t);
      recent.set(account, hits);
      return;
    }
    recent.set(account, hits);
    await sleep(Math.max(1, (hits[0] as number) + WINDOW_MS - t));
  }
}

export async function search(
  http: VendorHttpClient,
  account: string,
  obj: CrmObject,
  body: HsSearchRequest,
): Promise<HsSearchResponse> {
  await takeSearchSlot(account);
  const res = await http.request<HsSearchResponse>({
    method: 'POST',
    url: PATHS.search(obj),
    json: body,
    // A query sent as POST: safe to resend.
    idempotent: true,
  });
  return res.body ?? { total: 0, results: [] };
}
