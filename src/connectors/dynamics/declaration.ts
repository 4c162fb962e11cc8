import { type CrmDeclaration } from '../../config/crms';

/**
 * The pinned API versions: the one place they are spelled for the connector. The Web API and the
 * Entra ID (Microsoft identity platform) token endpoints version apart
 * (docs/vendors/dynamics.md "Hosts and versions", "Entra ID tokens").
 */
export const DYNAMICS_API_VERSION = { webApi: 'v9.2', entra: 'v2.0' } as const;

/**
 * The Web API's service root, relative to the environment URL (the connection's API host), with the
 * trailing slash relative paths resolve against.
 */
export const WEB_API_ROOT = `/api/data/${DYNAMICS_API_VERSION.webApi}/`;

/**
 * Hosts of Dataverse environments: `<org>.crm.dynamics.com`, `<org>.crm4.dynamics.com`… — one label
 * before `crm<n>` (docs/vendors/dynamics.md "Hosts and versions"). Environment URLs come from the
 * tenant, so the SSRF guard accepts nothing else without the operator's allowlist (`hosts.ts`).
 */
export const ENVIRONMENT_HOST_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.crm\d*\.dynamics\.com$/;

/** The Entra ID login host (the public cloud; sovereign clouds are not supported yet). */
export const LOGIN_HOST_PATTERN = /^login\.microsoftonline\.com$/;

export const dynamicsDeclaration: CrmDeclaration = {
  kind: 'dynamics',
  displayName: 'Dynamics 365',
  authKinds: ['oauth2_client_credentials', 'oauth2_code'],
  authScheme: 'Bearer',
  // Every environment has its own host: the connection names it (`vendorUrls.api`, checked in `hosts.ts`).
  hosts: { auth: 'https://login.microsoftonline.com', api: null },
  vendorHostPatterns: { auth: LOGIN_HOST_PATTERN, api: ENVIRONMENT_HOST_PATTERN },
  apiVersion: DYNAMICS_API_VERSION,
  oauth: {
    // The directory is per connection: `tokens.ts` builds both URLs with the connection's tenant; these
    // are the multi-tenant defaults a code flow may start from.
    authorizePath: `/organizations/oauth2/${DYNAMICS_API_VERSION.entra}/authorize`,
    tokenPath: `/organizations/oauth2/${DYNAMICS_API_VERSION.entra}/token`,
    tokenHost: 'auth',
    // The scope names the environment (`tokens.ts`): none can be declared once for every connection.
    scopes: [],
    scopeSeparator: ' ',
    clientAuth: 'body',
    tokenExpiry: 'expires_in',
  },
  // Reads: one `Microsoft.Dynamics.CRM.In` filter of 100 GUIDs keeps the URL near 4 KB. Writes: one
  // `$batch` of up to 100 requests (Dataverse takes 1,000, but a batch is judged whole against the
  // execution-time limit, so smaller batches fail smaller).
  batch: { read: 100, write: 100 },
  budgets: [
    {
      // Dataverse counts 6,000 requests per user per web server over a 5-minute sliding window
      // (docs/vendors/dynamics.md "Service protection limits"). A client cannot see which web server
      // answered, so this counts per connection — one application user in one environment — which
      // approximates it from below when the environment has one web server and errs on the safe side
      // otherwise. A `$batch` counts as one request. The remaining-requests header corrects it.
      name: 'requests',
      scope: 'connection',
      limit: 6000,
      windowMs: 5 * 60 * 1000,
      headers: { style: 'remaining', remaining: 'x-ms-ratelimit-burst-remaining-xrm-requests' },
    },
  ],
  // Also per user per web server (docs/vendors/dynamics.md "Service protection limits"): counted per
  // connection, like the requests budget.
  concurrentRequests: 52,
  requestIdHeader: 'x-ms-service-request-id',
};
