import { BadUserInputError } from '../../errors';
import { parseHttpUrl } from '../ssrf';

/**
 * The directory of a Dynamics connection. Its two vendor URLs come from the tenant and go through the
 * shared SSRF guard (`../ssrf.ts` `resolveVendorHosts`, with the host patterns of `declaration.ts`): the
 * authority `vendorUrls.auth` must be `login.microsoftonline.com/<tenant>` (the form Microsoft's own
 * clients are configured with) and the environment `vendorUrls.api` a `*.crm*.dynamics.com` host, on
 * https and the default port — or an origin of the operator's VENDOR_URL_ALLOWLIST with overrides on,
 * which is how the sandbox is reached. The token URLs need the directory from the authority's path.
 */

/** A directory id: a GUID, a verified domain, or one of Entra's multi-tenant aliases. */
const TENANT =
  /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+|organizations|common)$/i;

/** The default directory: any work account may sign in (authorization code only). */
export const MULTI_TENANT = 'organizations';

/**
 * The directory an authority URL names (its one path segment), or {@link MULTI_TENANT} for a bare host.
 * Throws BAD_USER_INPUT for anything else: the segment becomes part of the token URL.
 */
export function tenantOf(authority: string | undefined): string {
  if (authority === undefined) return MULTI_TENANT;
  let path: string;
  try {
    path = parseHttpUrl(authority).pathname;
  } catch (err) {
    throw new BadUserInputError(`Dynamics 365 authority URL: ${(err as Error).message}`);
  }
  const segments = path.split('/').filter((s) => s !== '');
  if (segments.length === 0) return MULTI_TENANT;
  if (segments.length === 1 && TENANT.test(segments[0])) return segments[0].toLowerCase();
  throw new BadUserInputError(
    `Dynamics 365 authority URL must be https://login.microsoftonline.com/<tenant id or domain>, got path ${JSON.stringify(path)}`,
  );
}
