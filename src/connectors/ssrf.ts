import { type CrmDeclaration } from '../config/crms';
import { BadUserInputError, CrmUpstreamError, ServerConfigError } from '../errors';

/**
 * The SSRF guard. We send tenants' credentials to vendor URLs, so a URL we did not choose is an attack
 * surface twice over: it can aim our server at internal addresses, and it can collect tokens.
 *
 * - A per-connection vendor URL override (sandboxes, tests) is accepted only when the operator enabled
 *   overrides (`ALLOW_VENDOR_URL_OVERRIDES`) and then only for an allowlisted origin
 *   (`VENDOR_URL_ALLOWLIST`), never from an ordinary API call's say-so alone.
 * - A URL a token response hands back (an `instance_url` or `api_domain` field) must be
 *   https on the default port, without userinfo, on a host matching the vendor's declared pattern — or
 *   an allowlisted origin when overrides are on (a sandbox names itself).
 *
 * Hosts are compared after WHATWG URL parsing, which canonicalizes IPv4 spellings (`127.1`,
 * `2130706433`, `0x7f000001` all become `127.0.0.1`) and lower-cases names, so a pattern sees the
 * address the socket will reach. DNS answers are checked where the socket is opened: the production
 * transport (`http/pinned-transport.ts`) resolves each host once, refuses private, loopback and
 * link-local answers (`http/pinned-lookup.ts`) and connects to the address it checked; hosts of
 * VENDOR_URL_ALLOWLIST are exempt.
 */

export interface VendorUrlPolicy {
  allowOverrides: boolean;
  /**
   * Origins allowed when overrides are on: `scheme://host[:port]`, where host may start with `*.` (any
   * subdomain, not the bare domain) and port may be `*`. Example: `http://127.0.0.1:*`.
   */
  allowlist: readonly string[];
}

export const NO_OVERRIDES: VendorUrlPolicy = Object.freeze({ allowOverrides: false, allowlist: [] });

/** Parses an absolute http(s) URL with no userinfo, or throws a message saying what is wrong. */
export function parseHttpUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`not an absolute URL: ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(
      `only http(s) URLs are allowed, got ${JSON.stringify(url.protocol)} in ${JSON.stringify(raw)}`,
    );
  }
  // `https://login.vendor.example@evil.example/` reaches evil.example: userinfo has no business here.
  if (url.username !== '' || url.password !== '' || authorityHasAt(raw)) {
    throw new Error(`URLs with user info are not allowed: ${JSON.stringify(redactUserinfo(raw))}`);
  }
  // `host.` and `host` are the same DNS name but not the same string: refuse rather than normalize, so
  // no comparison anywhere can be fooled by it.
  if (url.hostname.endsWith('.'))
    throw new Error(`host names must not end with a dot: ${JSON.stringify(raw)}`);
  return url;
}

/** Whether `url`'s origin matches one allowlist entry. */
export function isAllowlisted(url: URL, allowlist: readonly string[]): boolean {
  return allowlist.some((entry) => originMatches(url, entry));
}

function originMatches(url: URL, entry: string): boolean {
  const m = /^(https?):\/\/(\*\.)?([^/:*]+|\[[0-9a-f:.]+\])(?::(\d+|\*))?\/?$/i.exec(entry.trim());
  if (!m) return false;
  const [, scheme, wildcard, host, port] = m;
  if (url.protocol !== `${scheme.toLowerCase()}:`) return false;
  let entryHost: string;
  try {
    // Canonicalize the entry's host the way URL canonicalizes the candidate's.
    entryHost = new URL(`${scheme}://${host}`).hostname;
  } catch {
    return false;
  }
  const hostOk = wildcard ? url.hostname.endsWith(`.${entryHost}`) : url.hostname === entryHost;
  if (!hostOk) return false;
  const defaultPort = url.protocol === 'https:' ? '443' : '80';
  const actualPort = url.port || defaultPort;
  if (port === '*') return true;
  return actualPort === (port ?? defaultPort);
}

/**
 * Checks a per-connection vendor URL override. Throws BAD_USER_INPUT naming the reason when overrides
 * are off or the origin is not allowlisted. Returns the URL without a trailing slash.
 */
export function checkVendorUrlOverride(
  raw: string,
  policy: VendorUrlPolicy,
  what = 'vendor URL',
  vendorHostPattern?: RegExp,
): string {
  let url: URL;
  try {
    url = parseHttpUrl(raw);
  } catch (err) {
    throw new BadUserInputError(`${what}: ${(err as Error).message}`);
  }
  // Another host of the vendor itself (its test-environment login, a customer's own login domain) is a
  // production need, not a dev override: accepted on https and the default port.
  if (
    vendorHostPattern &&
    url.protocol === 'https:' &&
    url.port === '' &&
    vendorHostPattern.test(url.hostname)
  ) {
    return url.origin;
  }
  if (!policy.allowOverrides) {
    throw new BadUserInputError(
      `${what} overrides are disabled on this server (the operator enables them with ALLOW_VENDOR_URL_OVERRIDES); got ${url.origin}`,
    );
  }
  if (!isAllowlisted(url, policy.allowlist)) {
    throw new BadUserInputError(`${what} ${url.origin} is not in VENDOR_URL_ALLOWLIST`);
  }
  return url.toString().replace(/\/$/, '');
}

/**
 * The vendor hosts of one connection: declared defaults, with overrides (`auth`, `api`) checked by
 * {@link checkVendorUrlOverride}. Unknown override keys are refused so a typo cannot go unnoticed.
 *
 * Whose error a refusal is depends on where the overrides come from:
 * - from the request being served (createConnection, `/oauth/:crm/start`): the caller's, BAD_USER_INPUT;
 * - from a stored connection (`storedConnectionId`): they passed the policy when the connection was
 *   made, so a refusal now means the operator's configuration changed under it. That is no fault of
 *   the API user's: {@link ServerConfigError} (a generic UNAVAILABLE for the client, the reason and the
 *   setting to change for the server log).
 */
export function resolveVendorHosts(
  decl: CrmDeclaration,
  overrides: Readonly<Record<string, string>>,
  policy: VendorUrlPolicy,
  storedConnectionId?: string,
): { auth: string; api: string | null } {
  if (storedConnectionId === undefined) return resolveRequestedHosts(decl, overrides, policy);
  try {
    return resolveRequestedHosts(decl, overrides, policy);
  } catch (err) {
    if (!(err instanceof BadUserInputError)) throw err;
    throw new ServerConfigError(
      `stored ${decl.displayName} connection ${storedConnectionId} cannot be used with this server's ` +
        `vendor URL policy (ALLOW_VENDOR_URL_OVERRIDES=${policy.allowOverrides}, ` +
        `VENDOR_URL_ALLOWLIST=${policy.allowlist.join(',') || '(empty)'}): ${err.message}. ` +
        'Allow its vendor URLs again, or have its tenant reconnect it without them',
      { cause: err },
    );
  }
}

function resolveRequestedHosts(
  decl: CrmDeclaration,
  overrides: Readonly<Record<string, string>>,
  policy: VendorUrlPolicy,
): { auth: string; api: string | null } {
  for (const key of Object.keys(overrides)) {
    if (key !== 'auth' && key !== 'api') {
      throw new BadUserInputError(`unknown vendor URL key ${JSON.stringify(key)}: expected "auth" or "api"`);
    }
  }
  const pattern = decl.tokenApiHost?.hostPattern;
  if (!overrides.api && decl.hosts.api === null && !decl.tokenApiHost) {
    throw new BadUserInputError(
      `${decl.displayName} connections name their API URL (vendorUrls.api): the vendor has one per customer`,
    );
  }
  return {
    auth: overrides.auth
      ? checkVendorUrlOverride(
          overrides.auth,
          policy,
          `${decl.displayName} auth URL`,
          decl.vendorHostPatterns?.auth ?? pattern,
        )
      : decl.hosts.auth,
    api: overrides.api
      ? checkVendorUrlOverride(
          overrides.api,
          policy,
          `${decl.displayName} API URL`,
          decl.vendorHostPatterns?.api ?? pattern,
        )
      : decl.hosts.api,
  };
}

/**
 * Checks the API base a token response named (`decl.tokenApiHost.field`). Throws UPSTREAM when it is
 * not https on the vendor's domain (and not an allowlisted origin with overrides on): we will not send
 * a token there. Returns the origin to use as API base.
 */
export function checkTokenApiBase(decl: CrmDeclaration, raw: unknown, policy: VendorUrlPolicy): string {
  const field = decl.tokenApiHost?.field ?? 'api base';
  const refuse = (why: string): never => {
    throw new CrmUpstreamError(`${decl.displayName} token response ${field} refused: ${why}`, {
      crm: decl.kind,
    });
  };
  if (typeof raw !== 'string' || raw === '') return refuse(`expected a URL, got ${JSON.stringify(raw)}`);
  let url: URL;
  try {
    url = parseHttpUrl(raw);
  } catch (err) {
    return refuse((err as Error).message);
  }
  // An allowlisted sandbox may stand for a company's own host with a path on its one origin (as
  // `checkVendorUrlOverride` keeps it): the path is kept there, never for a vendor host.
  if (policy.allowOverrides && isAllowlisted(url, policy.allowlist)) {
    return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
  }
  if (!decl.tokenApiHost) return refuse('this CRM does not name its API host in token responses');
  if (url.protocol !== 'https:') return refuse(`not https: ${url.origin}`);
  if (url.port !== '') return refuse(`unexpected port in ${url.origin}`);
  if (!decl.tokenApiHost.hostPattern.test(url.hostname)) {
    return refuse(`${url.hostname} is not a ${decl.displayName} host`);
  }
  return url.origin;
}

/** An `@` in the authority even when the parser drops empty userinfo (`https://:@host`). */
function authorityHasAt(raw: string): boolean {
  const rest = raw.replace(/^[a-z][a-z0-9+.-]*:[\\/]*/i, '');
  return rest.split(/[/\\?#]/, 1)[0].includes('@');
}

function redactUserinfo(raw: string): string {
  return raw.replace(/\/\/[^/@]*@/, '//***@');
}
