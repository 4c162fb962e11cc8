import { type CrmObject } from '../types';
import { API_ROOT } from './declaration';

/**
 * Pipedrive facts the connector's API areas share (docs/vendors/pipedrive.md "Connector: reads, lists and search"). The
 * API versions, hosts, batch sizes and budgets live in `declaration.ts`.
 */

export const CRM = 'pipedrive';

/** Canonical object → Pipedrive's entity: its v2 collection, field-metadata resource and webhook name. */
export const ENTITIES: Readonly<
  Record<CrmObject, { collection: string; fields: string; entity: 'person' | 'deal' }>
> = {
  contact: {
    collection: `${API_ROOT.v2}/persons`,
    fields: `${API_ROOT.v2}/personFields`,
    entity: 'person',
  },
  deal: { collection: `${API_ROOT.v2}/deals`, fields: `${API_ROOT.v2}/dealFields`, entity: 'deal' },
};

export const PATHS = {
  pipelines: `${API_ROOT.v2}/pipelines`,
  stages: `${API_ROOT.v2}/stages`,
  /** v1 only: changes of every kind of item since a time, deleted persons among them. */
  recents: `${API_ROOT.v1}/recents`,
  /** v1 only: the user the token acts as, and its company. */
  currentUser: `${API_ROOT.v1}/users/me`,
} as const;

/** The largest page a v2 list serves. */
export const MAX_PAGE_SIZE = 500;

/** Most ids one `ids=` list takes. */
export const MAX_IDS = 100;

/** Deleted persons and deals stay readable this long, then are purged for good. */
export const DELETED_KEPT_DAYS = 30;

/**
 * Fields of a record the connector reads on its own, beside the custom fields: the v2 wire names, with
 * `email` and `phone` derived from the primary entries of `emails`/`phones`.
 */
export const STANDARD_FIELDS: Readonly<Record<CrmObject, readonly string[]>> = {
  contact: [
    'id',
    'name',
    'first_name',
    'last_name',
    'email',
    'phone',
    'emails',
    'phones',
    'owner_id',
    'org_id',
    'job_title',
    'add_time',
    'update_time',
    'is_deleted',
    'visible_to',
  ],
  deal: [
    'id',
    'title',
    'value',
    'currency',
    'status',
    'stage_id',
    'pipeline_id',
    'person_id',
    'org_id',
    'owner_id',
    'probability',
    'expected_close_date',
    'close_time',
    'won_time',
    'lost_time',
    'lost_reason',
    'add_time',
    'update_time',
    'is_deleted',
    'visible_to',
  ],
};

/** Canonical deal status ↔ Pipedrive's `status` values a write may set. */
export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
