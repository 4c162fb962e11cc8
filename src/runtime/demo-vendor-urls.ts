import { type Env } from '../config/env';
import { crmDeclaration, isCrmKind } from '../connectors/registry';

/**
 * The vendor URLs that point a connection at one running sandbox. A sandbox whose URLs carry more than
 * its origin (a directory in the authority's path) says so in its demo credentials (`vendorUrls`).
 * Otherwise vendors whose API host comes from the token response (`tokenApiHost`) take only the auth
 * URL; the others take the sandbox for both. Used for the demo connections and as the demo's
 * `CRM_DEFAULT_VENDOR_URLS`, so that a plain `/oauth/<crm>/start` in the demo goes to the sandbox's
 * authorize page, not the vendor's.
 */
export function sandboxVendorUrls(sandbox: {
  vendor: string;
  baseUrl: string;
  credentials?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}): Record<string, string> {
  const named = sandbox.credentials?.default?.vendorUrls as Record<string, string> | undefined;
  if (named) return { ...named };
  const urls: Record<string, string> = { auth: sandbox.baseUrl };
  if (!crmDeclaration(sandbox.vendor).tokenApiHost) urls.api = sandbox.baseUrl;
  return urls;
}

export function demoDefaultVendorUrls(
  sandboxes: ReadonlyArray<Parameters<typeof sandboxVendorUrls>[0]>,
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
