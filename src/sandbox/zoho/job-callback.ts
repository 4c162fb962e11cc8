import { invalidData } from './errors';

/**
 * The callback of a Bulk Read or Bulk Write job (docs/vendors/zoho.md "Bulk Read and Bulk Write"): a URL
 * the sandbox POSTs the job's outcome to when it ends, given in the create request's `callback`.
 */
export interface JobCallback {
  url: string;
  method: string;
}

/** The create request's `callback`, checked: absent stays absent, anything but an http(s) URL is refused. */
export function jobCallbackOf(raw: { url?: unknown; method?: unknown } | undefined): JobCallback | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw.url !== 'string' || !/^https?:\/\//.test(raw.url))
    throw invalidData('invalid callback', { api_name: 'callback' });
  return { url: raw.url, method: 'post' };
}

/** Posts `body` to the callback, without waiting and ignoring failures (a vendor does not retry it). */
export function sendJobCallback(callback: JobCallback, body: unknown): void {
  void fetch(callback.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  }).catch(() => undefined);
}
