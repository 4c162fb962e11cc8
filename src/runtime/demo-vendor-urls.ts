import { type Env } from '../config/env';
import { crmDeclaration, isCrmKind } from '../connectors/registry';

/**
 * The vendor URLs that point a connection at one running sandbox. Vendors whose API host comes from the
 * token response (declared with no fixed API host) take only the auth URL; the others take the sandbox for
 * both. Used for the demo connections and as the demo's `CRM_DEFAULT_VENDOR_URLS`, so that a plain
 * `/oauth/<crm>/start` in the demo goes to the sandbox's authorize page, not the vendor's.
 */
export function sandboxVendorUrls(sandbox: { vendor: string; baseUrl: string }): Record<string, string> {
  const urls: Record<string, string> = { auth: sandbox.baseUrl };
  if (crmDeclaration(sandbox.vendor).hosts.api !== null) urls.api = sandbox.baseUrl;
  return urls;
}

export function demoDefaultVendorUrls(
  sandboxes: ReadonlyArray<{ vendor: string; baseUrl: string }>,
): Env['CRM_DEFAULT_VENDOR_URLS'] {
  return Object.fromEntries(
    sandboxes
      .filter((s) => isCrmKind(s.vendor))
      .map((s) => {
        const { auth, api } = sandboxVendorUrls(s);
        return [s.vendor, api ? { auth, api } : { auth }];
      }),
  );
}
