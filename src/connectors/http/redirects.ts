import { CrmUpstreamError } from '../../errors';
import { type HttpTransport, type TransportRequest, type TransportResponse } from './http.types';

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

export function isRedirect(res: TransportResponse): boolean {
  return REDIRECT_STATUSES.has(res.status) && typeof res.headers.location === 'string';
}

/**
 * Where a redirect points, resolved against the URL that answered. Only http(s) targets are followed:
 * a `Location: file:///…` or `gopher://…` is refused outright.
 */
export function redirectTarget(from: string, res: TransportResponse, crm: string): URL {
  const target = new URL(res.headers.location!, from);
  if (target.protocol !== 'https:' && target.protocol !== 'http:') {
    throw new CrmUpstreamError(`${crm} redirected to a non-http URL (${target.protocol}); refused`, {
      crm,
      status: res.status,
    });
  }
  return target;
}

/**
 * Credentials follow a redirect only to the same origin (scheme, host and port). Another host — or the
 * same host over plain http — gets the request without them: this is how fetch treats `Authorization`
 * across origins, and a compromised or misconfigured vendor endpoint cannot harvest our tokens.
 */
export function mayCarryCredentials(original: string, target: URL): boolean {
  return new URL(original).origin === target.origin;
}

/** Header names that carry credentials and are dropped across origins. */
export const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'x-api-token', 'proxy-authorization'];

/**
 * Sends `request` and follows redirects safely: at most `maxRedirects` hops, only to http(s),
 * credentials dropped when the target leaves the origin, and 303 (and 301/302 after a POST) turned
 * into a GET without a body. `signal` gives each hop its abort signal.
 */
export async function followRedirects(
  transport: HttpTransport,
  request: Omit<TransportRequest, 'signal'>,
  options: { crm: string; maxRedirects: number; signal: () => AbortSignal },
): Promise<TransportResponse> {
  const { crm, maxRedirects } = options;
  const headers = { ...request.headers };
  let { method, body } = request;
  let current = request.url;
  for (let hop = 0; ; hop += 1) {
    const res = await transport({ method, url: current, headers, body, signal: options.signal() });
    if (!isRedirect(res)) return res;
    if (hop >= maxRedirects) {
      throw new CrmUpstreamError(
        `${crm} redirected more than ${maxRedirects} times; last to ${res.headers.location}`,
        { crm, status: res.status },
      );
    }
    const target = redirectTarget(current, res, crm);
    if (!mayCarryCredentials(request.url, target)) for (const h of CREDENTIAL_HEADERS) delete headers[h];
    // 303 (and, by long browser practice, 301/302 after a POST) turn into a GET without a body.
    if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      delete headers['content-type'];
    }
    current = target.toString();
  }
}
