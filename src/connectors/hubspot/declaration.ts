import { type CrmDeclaration } from '../../config/crms';

const DAY_MS = 24 * 60 * 60 * 1000;

/** The pinned API versions (HubSpot versions its API areas apart): the one place they are spelled. */
export const HUBSPOT_API_VERSION = { crm: 'v3', associations: 'v4', oauth: 'v1', accountInfo: 'v3' } as const;

export const hubspotDeclaration: CrmDeclaration = {
  kind: 'hubspot',
  displayName: 'HubSpot',
  authKinds: ['oauth2_code', 'static_token'],
  authScheme: 'Bearer',
  hosts: { auth: 'https://app.hubspot.com', api: 'https://api.hubapi.com' },
  apiVersion: HUBSPOT_API_VERSION,
  oauth: {
    authorizePath: '/oauth/authorize',
    // The token endpoint lives on the API host, not on app.hubspot.com.
    tokenPath: `/oauth/${HUBSPOT_API_VERSION.oauth}/token`,
    tokenHost: 'api',
    scopes: [
      'oauth',
      'crm.objects.contacts.read',
      'crm.objects.contacts.write',
      'crm.objects.deals.read',
      'crm.objects.deals.write',
      'crm.schemas.contacts.read',
      'crm.schemas.deals.read',
    ],
    scopeSeparator: ' ',
    clientAuth: 'body',
    tokenExpiry: 'expires_in',
  },
  batch: { read: 100, write: 100 },
  budgets: [
    {
      // 100 per 10 s per app per portal for free/starter private apps (110 for OAuth apps, 190 on
      // Professional/Enterprise): the smallest as default, corrected by X-HubSpot-RateLimit-*.
      name: 'burst',
      scope: 'account_app',
      limit: 100,
      windowMs: 10_000,
      headers: {
        style: 'remaining',
        remaining: 'x-hubspot-ratelimit-remaining',
        limit: 'x-hubspot-ratelimit-max',
        // The rolling window's length (10000), sent with the others (docs/vendors/hubspot.md "Rate limits"); HubSpot documents no
        // Retry-After on API 429s, so a TEN_SECONDLY_ROLLING refusal waits one interval.
        reset: 'x-hubspot-ratelimit-interval-milliseconds',
        resetUnit: 'ms',
      },
    },
    {
      // Shared by every app in the portal; resets at midnight portal time, counted here as rolling.
      name: 'daily',
      scope: 'account',
      limit: 250_000,
      windowMs: DAY_MS,
      headers: {
        style: 'remaining',
        remaining: 'x-hubspot-ratelimit-daily-remaining',
        limit: 'x-hubspot-ratelimit-daily',
      },
    },
    {
      // CRM search has its own limit, 5 requests per second per account (docs/vendors/hubspot.md "Search"; an older changelog said 4
      // per token), outside the burst limit and with no X-HubSpot-RateLimit-* headers on its answers:
      // only our count and the vendor's 429s ("You have reached your secondly limit.") inform it.
      name: 'search',
      scope: 'account',
      limit: 5,
      windowMs: 1000,
      namedOnly: true,
    },
  ],
  requestIdHeader: 'x-hubspot-correlation-id',
};
