// The `$skiptoken` paging cookie of `@odata.nextLink` (docs/vendors/dynamics.md "Paging"): opaque to
// clients, shaped like Dataverse's `<cookie pagenumber=… pagingcookie=… istracking=…/>`. It carries
// the position (the last row's sort key, or an offset into a delta) so a page is rebuilt from the URL
// alone, and refuses a cookie it did not issue.
import { badRequest } from './errors';

export interface PageCookie {
  page: number;
  /** Sort key of the last row served (keyset paging over the order and the primary key). */
  after?: unknown[];
  /** Rows already served (delta pages). */
  offset?: number;
  /** Change tracking: the version the delta token will carry (fixed at the first page). */
  trackingVersion?: number;
  /** Delta pages: the version range being listed. */
  sinceVersion?: number;
  /** The page size the cookie was issued for: the client must resend the same maxpagesize. */
  pageSize: number;
}

export function encodeCookie(cookie: PageCookie): string {
  const inner = Buffer.from(JSON.stringify(cookie)).toString('base64url');
  const tracking = cookie.trackingVersion !== undefined ? 'True' : 'False';
  return `<cookie pagenumber="${cookie.page}" pagingcookie="${inner}" istracking="${tracking}" />`;
}

export function decodeCookie(text: string): PageCookie {
  const m = /pagingcookie="([A-Za-z0-9_-]+)"/.exec(text);
  try {
    if (!m) throw new Error('no paging cookie');
    const cookie = JSON.parse(Buffer.from(m[1], 'base64url').toString('utf8')) as PageCookie;
    if (typeof cookie.page !== 'number' || typeof cookie.pageSize !== 'number') throw new Error('bad cookie');
    return cookie;
  } catch {
    throw badRequest(`The $skiptoken value is not valid: '${text.slice(0, 200)}'.`);
  }
}

/**
 * A query string as Dataverse writes links: percent-encoded (a space is %20, never '+', which the
 * Web API reads literally), with `$` and `,` left readable.
 */
export function linkQuery(params: URLSearchParams): string {
  const encode = (s: string) => encodeURIComponent(s).replace(/%24/g, '$').replace(/%2C/g, ',');
  return [...params].map(([k, v]) => `${encode(k)}=${encode(v)}`).join('&');
}

/** A next link: the request URL with `$skiptoken` replaced (everything else exactly as sent). */
export function nextLinkFor(
  serviceRoot: string,
  path: string,
  query: URLSearchParams,
  cookie: PageCookie,
): string {
  const q = new URLSearchParams(query);
  q.delete('$skiptoken');
  q.set('$skiptoken', encodeCookie(cookie));
  return `${serviceRoot}${path}?${linkQuery(q)}`;
}
