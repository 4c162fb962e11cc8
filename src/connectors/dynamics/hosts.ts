import { BadUserInputError } from '../../errors';
import { type VendorUrlPolicy, parseHttpUrl, resolveVendorHosts } from '../ssrf';
import { dynamicsDeclaration } from './declaration';

/**
 * Where one Dynamics connection sends credentials and calls: its Entra ID authority (login host and
 * directory) and its environment URL. Both come from the tenant, so both go through the SSRF guard
 * (`../ssrf.ts`): the authority must be `login.microsoftonline.com` and the environment a
 * `*.crm*.dynamics.com` host, on https and the default port — or an origin of the operator's
 * VENDOR_URL_ALLOWLIST with overrides on, which is how the sandbox is reached, as for the other CRMs.
 *
 * The connection stores them as `vendorUrls.auth` (the authority, `https://login.microsoftonline.com/<tenant>`,
 * the form Microsoft's own clients are configured with) and `vendorUrls.api` (the environment URL).
 */
export interface DynamicsHosts {
  /** Origin of the Entra ID host (the sandbox's origin in tests). */
  login: string;
  /** The directory: a GUID or a verified domain; `organizations` when the connection named none. */
  tenant: string;
  /** The environment URL, without a trailing slash: the Web API's host and the token's resource. */
  environmentUrl: string;
}

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

/** The origin of a checked URL (the guard keeps an allowlisted URL's path; we take the path apart). */
function originOf(checked: string): string {
  return new URL(checked).origin;
}

/**
 * The checked hosts of a connection's vendor URLs, through the shared guard (`resolveVendorHosts`,
 * with the patterns of `declaration.ts`): the environment URL is required (there is no default
 * environment), unknown keys are refused so a typo cannot go unnoticed.
 */
export function dynamicsHosts(
  vendorUrls: Readonly<Record<string, string>>,
  policy: VendorUrlPolicy,
): DynamicsHosts {
  const hosts = resolveVendorHosts(dynamicsDeclaration, vendorUrls, policy);
  return {
    login: originOf(hosts.auth),
    tenant: tenantOf(vendorUrls.auth),
    environmentUrl: originOf(hosts.api!),
  };
}
