// Every HubSpot sandbox constant lives here. Figures cite their section of docs/vendors/hubspot.md; the
// ones the vendor's documentation leaves open are defaults of {@link HubSpotSandboxOptions} so a test or
// an operator can change them.

/** Demo credentials printed by `npm run sandbox`; the first org gets exactly these. */
export const DEMO = {
  /** Private-app ("static auth") token. The `pat-na1-` prefix is UNVERIFIED (3P fixtures). */
  privateAppToken: 'pat-na1-sandbox-0000-0000-000000000001',
  clientId: 'hs-sandbox-client-id-0001',
  /** The app's client secret: it also keys webhook signatures v1/v2/v3, as at HubSpot. */
  clientSecret: 'hs-sandbox-client-secret-0001',
  /** Developer API key (`hapikey`) for the webhooks settings/subscriptions API. */
  developerApiKey: 'hs-sandbox-developer-hapikey-0001',
  portalId: 62515,
  appId: 54321,
} as const;

/** Access tokens last 30 minutes [V-DOC]. */
export const ACCESS_TOKEN_TTL_SECONDS = 1800;

/** docs/vendors/hubspot.md "CRM objects": list `limit` default 10, max 100; batch inputs max 100 [V-DOC]. */
export const LIST_DEFAULT_LIMIT = 10;
export const LIST_MAX_LIMIT = 100;
export const BATCH_MAX_INPUTS = 100;

/** docs/vendors/hubspot.md "Search" search limits (current doc). */
export const SEARCH = {
  defaultLimit: 10,
  maxLimit: 200,
  maxResults: 10_000,
  maxFilterGroups: 5,
  maxFiltersPerGroup: 6,
  maxFiltersTotal: 18,
  maxBodyChars: 3000,
} as const;

/** docs/vendors/hubspot.md "Rate limits" burst window. */
export const RATE_WINDOW_MS = 10_000;

export const TIER_LIMITS = {
  /** Free and Starter. */
  starter: { burst: 100, daily: 250_000 },
  /** Professional: the usage doc says 625,000, a 2024 changelog 650,000 (conflict; current doc used). */
  professional: { burst: 190, daily: 625_000 },
  enterprise: { burst: 190, daily: 1_000_000 },
} as const;
export type HubSpotTier = keyof typeof TIER_LIMITS;

/** HubSpot-defined association type ids, docs/vendors/hubspot.md "Associations" [V-DOC]. */
export const ASSOC_TYPE = { contactToDeal: 4, dealToContact: 3 } as const;

/** docs/vendors/hubspot.md "Webhooks" webhook delivery. */
export const WEBHOOK = {
  maxEventsPerRequest: 100,
  maxConcurrentRequests: 10,
  /** Up to 10 retries over 24 hours [V-DOC]. */
  maxRetries: 10,
  retryHorizonMs: 24 * 60 * 60 * 1000,
  /** HubSpot gives up on a delivery that takes longer than 5 s [V-DOC, current text]. */
  timeoutMs: 5000,
  maxSubscriptions: 1000,
  /** "Properties you cannot subscribe to" (docs/vendors/hubspot.md "Webhooks"): propertyChange subscriptions to these are refused. */
  unsubscribableProperties: ['num_unique_conversion_events', 'hs_lastmodifieddate'] as readonly string[],
  userAgent:
    'HubSpot Connect 2.0 (http://dev.hubspot.com/) (namespace: webhooks-nio-http-client) - WebhooksExecutorDaemon-executor',
} as const;

/**
 * Path stems of the object APIs: `/crm/v3/objects` and its date-versioned twin. The docs show the
 * same bodies for both, but nobody has diffed them (docs/vendors/hubspot.md "Hosts, tokens and versions") — the alias serves identical handlers.
 */
export const OBJECT_STEMS = ['/crm/v3/objects', '/crm/objects/2026-03'] as const;

/** The object types served, with their HubSpot object type ids (0-1 contacts, 0-3 deals). */
export const OBJECT_TYPES = ['contacts', 'deals'] as const;
export type HsObjectType = (typeof OBJECT_TYPES)[number];
export const OBJECT_TYPE_IDS: Record<HsObjectType, string> = { contacts: '0-1', deals: '0-3' };
/** Singular names used in webhook subscription types, association type strings and error texts. */
export const SINGULAR: Record<HsObjectType, 'contact' | 'deal'> = { contacts: 'contact', deals: 'deal' };

/** The property that carries "last modified" per object type (docs/vendors/hubspot.md "Search"). */
export const MODIFIED_PROPERTY: Record<HsObjectType, string> = {
  contacts: 'lastmodifieddate',
  deals: 'hs_lastmodifieddate',
};

/** Default seed counts (the issue asks for lists spanning several pages). */
export const DEFAULT_SEED = { contacts: 3000, deals: 800 } as const;

/**
 * What `GET /account-info/v3/details` says of every portal besides its id, time zone and currency
 * (docs/vendors/hubspot.md "Account details"; what it says of these fields is not verified against a
 * real portal, so these values are UNVERIFIED). `na1` matches the `pat-na1-` token prefix.
 */
export const ACCOUNT = {
  accountType: 'STANDARD',
  uiDomain: 'app.hubspot.com',
  dataHostingLocation: 'na1',
  /** The portal's company currency unless the `companyCurrency` setting says otherwise. */
  companyCurrency: 'USD',
} as const;

/**
 * Archived records can be restored for 90 days, then HubSpot deletes them for good: no listing, read or
 * restore finds them (docs/vendors/hubspot.md "Recycling bin").
 */
export const RECYCLE_BIN_MS = 90 * 24 * 60 * 60 * 1000;
