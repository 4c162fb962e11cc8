import { type CrmKind } from '../registry';
import { type CrmObject, type NativeFieldType } from '../types';
import { API_ROOT, ZOHO_API_VERSION, ZOHO_BULK_WRITE } from './declaration';

/**
 * Zoho CRM facts the connector's API areas share (docs/vendors/zoho.md "Connector: reads and lists").
 * Hosts, version, batch sizes and budgets live in `declaration.ts` and `data-centres.ts`.
 */

/** The kind, as registered in `src/connectors/registry.ts`. */
export const CRM: CrmKind = 'zoho';

/** Canonical object → Zoho module API name. */
export const MODULES: Readonly<Record<CrmObject, 'Contacts' | 'Deals'>> = {
  contact: 'Contacts',
  deal: 'Deals',
};

export const PATHS = {
  module: (obj: CrmObject) => `${API_ROOT}/${MODULES[obj]}`,
  upsert: (obj: CrmObject) => `${API_ROOT}/${MODULES[obj]}/upsert`,
  deleted: (obj: CrmObject) => `${API_ROOT}/${MODULES[obj]}/deleted`,
  contactRoles: (deal: string) => `${API_ROOT}/Deals/${deal}/Contact_Roles`,
  contactRole: (deal: string, contact: string) => `${API_ROOT}/Deals/${deal}/Contact_Roles/${contact}`,
  contactRoleDefinitions: `${API_ROOT}/settings/contact_roles`,
  contactDeals: (contact: string) => `${API_ROOT}/Contacts/${contact}/Deals`,
  coql: `${API_ROOT}/coql`,
  fields: `${API_ROOT}/settings/fields`,
  layouts: `${API_ROOT}/settings/layouts`,
  pipeline: `${API_ROOT}/settings/pipeline`,
  org: `${API_ROOT}/org`,
  users: `${API_ROOT}/users`,
  watch: `${API_ROOT}/actions/watch`,
  bulkWrite: `/crm/bulk/${ZOHO_API_VERSION.crm}/write`,
  /** On the DC's file host, not the API domain. */
  upload: `${API_ROOT}/upload`,
} as const;

/**
 * Bulk Write (docs/vendors/zoho.md "Bulk Write", "Connector: writes"): the threshold and rows a file
 * holds as declared (`ZOHO_BULK_WRITE`); a file holds at most 25 MB.
 */
export const BULK_WRITE = {
  threshold: ZOHO_BULK_WRITE.threshold,
  maxRows: ZOHO_BULK_WRITE.maxRecords,
  maxFileBytes: 25 * 1024 * 1024,
  /** The result zip is read up to this size (it echoes three columns per row). */
  maxResultBytes: 64 * 1024 * 1024,
} as const;

/** Most records a list page serves (`per_page`). */
export const MAX_PER_PAGE = 200;
/** Most rows one COQL query returns (`LIMIT`). */
export const MAX_COQL_LIMIT = 2000;
/** Most values a COQL `in` takes. */
export const MAX_COQL_IN = 50;
/** Most fields one read names (`fields`, a COQL select). */
export const MAX_FIELDS = 50;
/** Most ids one `ids=` read or delete takes, and records one write takes. */
export const MAX_IDS = 100;
/** Records a `page_token` walk reaches at most; past it the walk continues by keyset. */
export const PAGE_TOKEN_CAP = 100_000;
/** How long deleted records stay listed (the recycle bin). */
export const DELETED_KEPT_DAYS = 60;

/** Who sets a standard field: the app through a write, or Zoho (`vendor`), or the connector (derived). */
type SetBy = 'app' | 'vendor' | 'derived';

/**
 * The standard fields the connector reads on its own, with their types and who sets them: the one table
 * the read, write and describe paths derive their lists from. `derived` fields are not Zoho's: the
 * connector computes them (a deal's status from its stage, its currency from the org where the org
 * has one currency).
 */
export const STANDARD: Readonly<
  Record<CrmObject, Readonly<Record<string, { type: NativeFieldType; setBy: SetBy }>>>
> = {
  contact: {
    id: { type: 'id', setBy: 'vendor' },
    First_Name: { type: 'string', setBy: 'app' },
    Last_Name: { type: 'string', setBy: 'app' },
    Full_Name: { type: 'string', setBy: 'vendor' },
    Email: { type: 'email', setBy: 'app' },
    Secondary_Email: { type: 'email', setBy: 'app' },
    Phone: { type: 'phone', setBy: 'app' },
    Mobile: { type: 'phone', setBy: 'app' },
    Title: { type: 'string', setBy: 'app' },
    Department: { type: 'string', setBy: 'app' },
    Account_Name: { type: 'reference', setBy: 'app' },
    Owner: { type: 'reference', setBy: 'app' },
    Created_Time: { type: 'datetime', setBy: 'vendor' },
    Modified_Time: { type: 'datetime', setBy: 'vendor' },
  },
  deal: {
    id: { type: 'id', setBy: 'vendor' },
    Deal_Name: { type: 'string', setBy: 'app' },
    Amount: { type: 'currency', setBy: 'app' },
    Currency: { type: 'string', setBy: 'derived' },
    Stage: { type: 'picklist', setBy: 'app' },
    Pipeline: { type: 'picklist', setBy: 'app' },
    Deal_Status: { type: 'picklist', setBy: 'derived' },
    Probability: { type: 'percent', setBy: 'app' },
    Closing_Date: { type: 'date', setBy: 'app' },
    Contact_Name: { type: 'reference', setBy: 'app' },
    Account_Name: { type: 'reference', setBy: 'app' },
    Owner: { type: 'reference', setBy: 'app' },
    Type: { type: 'picklist', setBy: 'app' },
    Lead_Source: { type: 'picklist', setBy: 'app' },
    Next_Step: { type: 'string', setBy: 'app' },
    Created_Time: { type: 'datetime', setBy: 'vendor' },
    Modified_Time: { type: 'datetime', setBy: 'vendor' },
  },
};

/** A deal's derived status values. */
export const DEAL_STATUSES = ['open', 'won', 'lost'] as const;
export type DealStatus = (typeof DEAL_STATUSES)[number];
