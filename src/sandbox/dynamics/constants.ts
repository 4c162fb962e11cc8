// Fixed facts of the Dataverse sandbox: the one place each constant lives (docs/vendors/dynamics.md).

/** The Web API version served, and the path every Web API call starts with ("Hosts and versions"). */
export const API_VERSION = 'v9.2';
/** Versions Dataverse still answers on; anything else is an unknown resource. */
export const SERVED_VERSIONS: readonly string[] = ['v9.0', 'v9.1', 'v9.2'];
export const API_PREFIX = '/api/data';

/** The demo app registration and directory of the `default` org (demo values, local use only). */
export const DEMO = {
  tenantId: '7b0e4c21-5d3a-4e8f-9c61-2a4f8d9e0b11',
  clientId: '51f81489-12ee-4a9e-aaae-a2591f45987d',
  clientSecret: 'dyn~sandbox~client~secret',
  /** The org's unique name; its environment host is `<name>.crm.dynamics.com`. */
  orgName: 'contoso',
} as const;

/** The publisher prefix of the org's own (custom) columns ("Metadata"). */
export const PUBLISHER_PREFIX = 'cr8f3';

/** Default page size and the largest `odata.maxpagesize` ("Paging"). */
export const MAX_PAGE_SIZE = 5000;
/** `@odata.count` stops counting here ("Counting rows"). */
export const COUNT_CAP = 5000;
/** Requests in one `$batch` ("$batch"). */
export const MAX_BATCH_REQUESTS = 1000;

/** Entra ID access-token lifetime reported as `expires_in` ("Entra ID tokens"). */
export const ACCESS_TOKEN_TTL_SECONDS = 3599;
/** Authorization codes are short-lived (10 minutes). */
export const AUTH_CODE_TTL_MS = 10 * 60_000;
/** Refresh tokens: 90 days of inactivity ("Entra ID tokens"). */
export const REFRESH_TOKEN_TTL_MS = 90 * 24 * 3600_000;

/** The WWW-Authenticate resource_id suffix is UNVERIFIED ("Calling the Web API"). */
export const AUTHORITY_HOST = 'https://login.microsoftonline.com';

/** Defaults of the seeded org. */
export const DEFAULT_COUNTS = { contact: 3000, opportunity: 800, account: 200, systemuser: 5 } as const;

/** Language of every label the sandbox serves (English, United States). */
export const LANGUAGE_CODE = 1033;
