import { CrmUpstreamError } from '../../errors';
import { type TransportResponse } from './http.types';

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
