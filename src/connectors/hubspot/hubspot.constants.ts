import { HUBSPOT_API_VERSION } from './declaration';
import { DAY_MS } from '../changes-window';
import { type CrmObject } from '../types';

/**
 * HubSpot facts the connector's API areas share (docs/vendors/hubspot.md). Batch sizes, budgets and
 * the API versions live in `declaration.ts`; the paths below are built from those versions.
 */

export const CRM = 'hubspot';

/** Canonical object → HubSpot object type in paths. */
export const OBJECT_TYPE: Readonly<Record<CrmObject, 'contacts' | 'deals'>> = {
  contact: 'contacts',
  deal: 'deals',
};

/** HubSpot object type ids (`0-1`, `0-3`) as generic webhooks and some paths name them. */
export const OBJECT_TYPE_ID: Readonly<Record<CrmObject, string>> = { contact: '0-1', deal: '0-3' };

/** The searchable "last modified" property: contacts keep the legacy name, deals the `hs_` one (docs/vendors/hubspot.md "Search"). */
export const MODIFIED_PROPERTY: Readonly<Record<CrmObject, string>> = {
  contact: 'lastmodifieddate',
  deal: 'hs_lastmodifieddate',
};

/**
 * Search (docs/vendors/hubspot.md "Search"): at most 200 per page, 10,000 results per query, 3,000 characters of request body, 5
 * filter groups of at most 6 filters and 18 filters in all.
 */
export const SEARCH_LIMITS = {
  pageMax: 200,
  maxResults: 10_000,
  maxBodyChars: 3000,
  maxFilterGroups: 5,
  maxFiltersPerGroup: 6,
  maxFiltersTotal: 18,
} as const;

/** List pages (`GET /objects/{type}`) hold at most 100 records (docs/vendors/hubspot.md "List paging"). */
export const LIST_PAGE_MAX = 100;

/**
 * Longest `properties` query parameter we put on a GET. Real portals have hundreds of properties and a
 * URL carrying all of them is refused (414); past this we list ids and read the records by batch.
 */
export const MAX_PROPERTIES_QUERY_CHARS = 4000;

/**
 * How far back change polls look beyond `since`, because search is eventually consistent: a record
 * updated "a few moments" before a poll may not be indexed yet (docs/vendors/hubspot.md "Search"). Callers dedupe on snapshots.
 * @defaultValue 120000 (2 min); per connection: `settings.searchOverlapMs`
 */
export const DEFAULT_SEARCH_OVERLAP_MS = 120_000;

/**
 * How long archived records stay in the recycling bin (and the `archived=true` listing) before HubSpot
 * deletes them for good: changes since further back cannot report every deletion
 * (docs/vendors/hubspot.md "Recycling bin").
 */
export const RECYCLE_BIN_MS = 90 * DAY_MS;

/** Webhook signature v3: requests older than 5 minutes are refused (HSN `MAX_ALLOWED_TIMESTAMP`). */
export const WEBHOOK_MAX_AGE_MS = 5 * 60 * 1000;

/** How long field metadata (the property list) is reused in-process before it is read again. */
export const PROPERTY_CACHE_TTL_MS = 5 * 60 * 1000;

const crm = `/crm/${HUBSPOT_API_VERSION.crm}`;
const assoc = `/crm/${HUBSPOT_API_VERSION.associations}`;

export const PATHS = {
  objects: (obj: CrmObject): string => `${crm}/objects/${OBJECT_TYPE[obj]}`,
  batch: (obj: CrmObject, op: 'read' | 'create' | 'update' | 'upsert' | 'archive'): string =>
    `${crm}/objects/${OBJECT_TYPE[obj]}/batch/${op}`,
  search: (obj: CrmObject): string => `${crm}/objects/${OBJECT_TYPE[obj]}/search`,
  properties: (obj: CrmObject): string => `${crm}/properties/${OBJECT_TYPE[obj]}`,
  pipelines: (): string => `${crm}/pipelines/deals`,
  associationsBatchRead: (from: CrmObject, to: CrmObject): string =>
    `${assoc}/associations/${OBJECT_TYPE[from]}/${OBJECT_TYPE[to]}/batch/read`,
  /** Association writes of the default (unlabeled) type: `associate/default` and `archive`. */
  associationsBatch: (from: CrmObject, to: CrmObject, op: 'associate/default' | 'archive'): string =>
    `${assoc}/associations/${OBJECT_TYPE[from]}/${OBJECT_TYPE[to]}/batch/${op}`,
  associationsOf: (from: CrmObject, fromId: string, to: CrmObject): string =>
    `${assoc}/objects/${OBJECT_TYPE[from]}/${encodeURIComponent(fromId)}/associations/${OBJECT_TYPE[to]}`,
  accessTokenInfo: (token: string): string =>
    `/oauth/${HUBSPOT_API_VERSION.oauth}/access-tokens/${encodeURIComponent(token)}`,
  refreshToken: (token: string): string =>
    `/oauth/${HUBSPOT_API_VERSION.oauth}/refresh-tokens/${encodeURIComponent(token)}`,
} as const;
