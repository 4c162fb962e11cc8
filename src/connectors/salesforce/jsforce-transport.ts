import { PassThrough } from 'node:stream';
import { type HttpRequest, type HttpRequestOptions, type HttpResponse } from 'jsforce/lib/types';
import { Transport } from 'jsforce/lib/transport';
import { StreamPromise } from 'jsforce/lib/util/promise';
import { type HttpMethod, type VendorHttpClient } from '../http/vendor-client';

/**
 * jsforce's transport, replaced: every request jsforce builds goes out through the connection's shared
 * {@link VendorHttpClient}, so it takes the budget gate, the token service (credentials, 401 → one
 * single-flight refresh and retry), the retry policy, the CrmError typing and the call metrics like
 * any other vendor call. jsforce keeps what it is good at: building Salesforce URLs and bodies (query
 * locators, sObject Collections, describe) and parsing the answers.
 *
 * jsforce is given a placeholder instance URL ({@link JSFORCE_ORIGIN}) and no access token. This
 * transport accepts only URLs on that origin and sends their path relative, so the shared client
 * resolves them against the token's `instance_url` — the one the SSRF guard checked. jsforce therefore
 * never holds a token and cannot address any other host, and an `instance_url` that changes on refresh
 * is followed without rebuilding anything.
 *
 * The shared client throws a CrmError for every status ≥ 300, so jsforce only ever sees successes and
 * its own session-refresh path never fires: there is one refresh path for every Salesforce call.
 */

export const JSFORCE_ORIGIN = 'https://salesforce-instance.invalid';

/** Headers jsforce sets that the shared client owns (credentials) or computes itself. */
const DROPPED_HEADERS = new Set(['authorization', 'content-length', 'host']);

export class SharedLayerTransport extends Transport {
  constructor(private readonly http: VendorHttpClient) {
    super();
  }

  override httpRequest(req: HttpRequest, _options?: HttpRequestOptions): StreamPromise<HttpResponse> {
    return StreamPromise.create(() => ({
      // Nothing streams through this transport (Bulk 2.0 uploads go through `bulk.ts`); jsforce only
      // wires the stream up, so an idle one satisfies it.
      stream: new PassThrough(),
      promise: this.send(req),
    }));
  }

  private async send(req: HttpRequest): Promise<HttpResponse> {
    const path = relativePath(req.url);
    if (req.body !== undefined && req.body !== null && typeof req.body !== 'string') {
      throw new Error(`jsforce sent a ${typeof req.body} body to ${path}; only string bodies are routed`);
    }
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers ?? {})) {
      if (!DROPPED_HEADERS.has(name.toLowerCase())) headers[name.toLowerCase()] = value;
    }
    const method = req.method.toUpperCase() as HttpMethod;
    const res = await this.http.request({
      method,
      url: path,
      headers,
      body: req.body ?? undefined,
      idempotent: isIdempotent(method, path),
    });
    return { statusCode: res.status, headers: { ...res.headers }, body: res.text };
  }
}

/** `https://salesforce-instance.invalid/services/…?q` → `/services/…?q`; any other origin is refused. */
export function relativePath(url: string): string {
  if (url.startsWith('/')) return url;
  if (url.startsWith(`${JSFORCE_ORIGIN}/`)) return url.slice(JSFORCE_ORIGIN.length);
  throw new Error(`jsforce asked for ${new URL(url).origin}, which is not the connection's instance`);
}

/**
 * Whether sending the request twice equals sending it once, which decides whether the shared layer may
 * resend it when its outcome is unknown. Reads (GET, and the POST of a Collections retrieve by ids),
 * updates and upserts by external id (PATCH) and deletes are; a create (POST /sobjects, POST
 * /composite/sobjects) is not — a resent create is a duplicate record.
 */
export function isIdempotent(method: HttpMethod, path: string): boolean {
  if (method !== 'POST') return true;
  const pathname = path.split('?')[0].replace(/\/$/, '');
  // POST /composite/sobjects/{Type} with {ids, fields} is the retrieve; POST /composite/sobjects creates.
  return /\/composite\/sobjects\/[A-Za-z0-9_]+$/.test(pathname);
}
