import { type CrmDefinition } from '../definition';

/**
 * The vendor URLs an authorization callback adds to the flow's (`OAuthBuilders.callbackVendorUrls`,
 * e.g. the accounts server of the data centre the user signed in at), over the ones start recorded.
 * `null` when the callback names none: the flow's URLs stand as they were checked at start.
 * The result is a request, not a fact: the caller puts it through the SSRF guard (`vendorAccess`)
 * before any code is exchanged at it.
 */
export function callbackVendorUrls(
  definition: CrmDefinition,
  flowUrls: Readonly<Record<string, string>>,
  query: Readonly<Record<string, unknown>>,
): Record<string, string> | null {
  const named = definition.oauth?.callbackVendorUrls?.(query, flowUrls) ?? {};
  if (Object.keys(named).length === 0) return null;
  return { ...flowUrls, ...named };
}

/**
 * The vendor URLs to store for a connection: the requested keys (`auth`, `api`) at the hosts the SSRF
 * guard resolved them to, so what is stored is what was checked.
 */
export function checkedVendorUrls(
  requested: Readonly<Record<string, string>>,
  hosts: { auth: string; api: string | null },
): Record<string, string> {
  const checked: Record<string, string> = {};
  if (requested.auth) checked.auth = hosts.auth;
  if (requested.api && hosts.api) checked.api = hosts.api;
  return checked;
}
