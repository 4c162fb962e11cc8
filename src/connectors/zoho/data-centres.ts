import { BadUserInputError } from '../../errors';
import { parseHttpUrl } from '../ssrf';

/**
 * Zoho's data centres (docs/vendors/zoho.md "Connector: data centres"). An account lives in one: its
 * accounts server issues and refreshes its tokens, and only its API domain takes them. The table is the
 * one place the eight production hosts are spelled; with a sandbox (a vendor URL override on an
 * allowlisted origin) every DC is that origin plus `/dc/<dc>/accounts|api|content`.
 */

export const DC_IDS = ['us', 'eu', 'in', 'au', 'jp', 'cn', 'ca', 'sa'] as const;
export type DcId = (typeof DC_IDS)[number];

export interface DcHosts {
  /** The accounts server: authorize, token, revoke. */
  accounts: string;
  /** The API domain: `/crm/v8/...`. */
  api: string;
  /** The file host (Bulk Write uploads). */
  content: string;
}

const PRODUCTION: Readonly<Record<DcId, DcHosts>> = {
  us: dc('https://accounts.zoho.com', 'https://www.zohoapis.com', 'https://content.zohoapis.com'),
  eu: dc('https://accounts.zoho.eu', 'https://www.zohoapis.eu', 'https://content.zohoapis.eu'),
  in: dc('https://accounts.zoho.in', 'https://www.zohoapis.in', 'https://content.zohoapis.in'),
  au: dc('https://accounts.zoho.com.au', 'https://www.zohoapis.com.au', 'https://content.zohoapis.com.au'),
  jp: dc('https://accounts.zoho.jp', 'https://www.zohoapis.jp', 'https://content.zohoapis.jp'),
  cn: dc('https://accounts.zoho.com.cn', 'https://www.zohoapis.com.cn', 'https://content.zohoapis.com.cn'),
  ca: dc('https://accounts.zohocloud.ca', 'https://www.zohoapis.ca', 'https://upload.zohocloud.ca'),
  sa: dc('https://accounts.zoho.sa', 'https://www.zohoapis.sa', 'https://files.zoho.sa'),
};

function dc(accounts: string, api: string, content: string): DcHosts {
  return { accounts, api, content };
}

/** The DC every connection starts at until its callback names another: Zoho's own default. */
export const DEFAULT_DC: DcId = 'us';

const hostOf = (url: string): string => new URL(url).hostname;

/** Every production accounts host and every production API host: what the SSRF guard accepts unlisted. */
export const ACCOUNTS_HOST_PATTERN = hostPattern(DC_IDS.map((id) => hostOf(PRODUCTION[id].accounts)));
export const API_HOST_PATTERN = hostPattern(DC_IDS.map((id) => hostOf(PRODUCTION[id].api)));

function hostPattern(hosts: readonly string[]): RegExp {
  return new RegExp(`^(?:${hosts.map((h) => h.replace(/\./g, '\\.')).join('|')})$`);
}

export function isDcId(value: unknown): value is DcId {
  return typeof value === 'string' && (DC_IDS as readonly string[]).includes(value);
}

/** A URL without its trailing slash, host lower-cased: how two DC URLs are compared. */
function normalized(url: string): string {
  const u = parseHttpUrl(url);
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** Whether `url` is one of the production accounts servers (not a sandbox origin). */
function isProductionAccounts(url: string): boolean {
  return DC_IDS.some((id) => normalized(PRODUCTION[id].accounts) === normalized(url));
}

/**
 * The DC table a connection's URLs live in: production, or — when its accounts URL is on another origin
 * (a sandbox the SSRF guard allowed) — that origin with the path prefix of each DC.
 */
export function dcTable(accountsUrl: string | undefined): (id: DcId) => DcHosts {
  if (accountsUrl === undefined || isProductionAccounts(accountsUrl)) return (id) => PRODUCTION[id];
  const origin = parseHttpUrl(accountsUrl).origin;
  return (id) => dc(`${origin}/dc/${id}/accounts`, `${origin}/dc/${id}/api`, `${origin}/dc/${id}/content`);
}

/**
 * The DC whose accounts server `accountsUrl` is, in its table; null when it is none of them. A sandbox
 * origin alone (the URL contract's override replaces scheme and host) is the default DC's, where a
 * multi-DC sign-in starts.
 */
export function dcOfAccounts(accountsUrl: string | undefined): DcId | null {
  const table = dcTable(accountsUrl);
  const given = normalized(accountsUrl ?? PRODUCTION[DEFAULT_DC].accounts);
  if (
    accountsUrl !== undefined &&
    !isProductionAccounts(accountsUrl) &&
    given === parseHttpUrl(accountsUrl).origin
  )
    return DEFAULT_DC;
  return DC_IDS.find((id) => normalized(table(id).accounts) === given) ?? null;
}

/** The hosts of a connection's DC, from its stored accounts URL (absent: the default DC). */
export function connectionDc(vendorUrls: Readonly<Record<string, string>>): { id: DcId; hosts: DcHosts } {
  const id = dcOfAccounts(vendorUrls.auth);
  if (!id) {
    throw new BadUserInputError(
      `Zoho CRM accounts URL ${JSON.stringify(vendorUrls.auth)} is not the accounts server of a Zoho data centre`,
    );
  }
  return { id, hosts: dcTable(vendorUrls.auth)(id) };
}

/** Whether two URLs name the same server and path (trailing slash and host case aside). */
export function sameUrl(a: string, b: string): boolean {
  try {
    return normalized(a) === normalized(b);
  } catch {
    return false;
  }
}
