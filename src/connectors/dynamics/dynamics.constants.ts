import { type CrmObject } from '../types';

/**
 * Dataverse facts the connector's API areas share (docs/vendors/dynamics.md). Batch sizes, budgets and
 * the API version live in `declaration.ts`.
 */

export const CRM = 'dynamics';

/** Canonical object → the table's entity set (URL) name, logical name and primary key. */
export const TABLES: Readonly<
  Record<CrmObject, { set: 'contacts' | 'opportunities'; logicalName: string; key: string }>
> = {
  contact: { set: 'contacts', logicalName: 'contact', key: 'contactid' },
  deal: { set: 'opportunities', logicalName: 'opportunity', key: 'opportunityid' },
};

/**
 * The columns every read selects besides the mapped ones: the key, the modification stamp and, for
 * opportunities, the state that tells closed rows (docs/vendors/dynamics.md "Tables").
 */
export const BASE_COLUMNS: Readonly<Record<CrmObject, readonly string[]>> = {
  contact: [
    'contactid',
    'firstname',
    'lastname',
    'emailaddress1',
    'telephone1',
    'jobtitle',
    '_ownerid_value',
    'createdon',
    'modifiedon',
  ],
  deal: [
    'opportunityid',
    'name',
    'estimatedvalue',
    '_transactioncurrencyid_value',
    'salesstage',
    'statecode',
    'statuscode',
    'estimatedclosedate',
    '_parentcontactid_value',
    '_ownerid_value',
    'createdon',
    'modifiedon',
  ],
};

/**
 * The deal's currency as an ISO code: the `transactioncurrencyid` lookup followed to the currency row,
 * which deal reads expand (`$expand=transactioncurrencyid($select=isocurrencycode)`).
 */
export const CURRENCY_CODE_PATH = 'transactioncurrencyid.isocurrencycode';

/** The largest page Dataverse serves (`odata.maxpagesize`, docs/vendors/dynamics.md "Paging"). */
export const MAX_PAGE_SIZE = 5000;

/** `@odata.count` stops counting here (docs/vendors/dynamics.md "Counting rows"). */
export const COUNT_CAP = 5000;

/**
 * Columns of the connector's own that are text (String), per object: equality and prefix filters push
 * down on these only, since the literal a filter spells depends on the column's type (a choice is a
 * number, a lookup an unquoted GUID) and a list does not read metadata (docs/vendors/dynamics.md
 * "Querying").
 */
export const TEXT_COLUMNS: Readonly<Record<CrmObject, ReadonlySet<string>>> = {
  contact: new Set([
    'firstname',
    'lastname',
    'fullname',
    'emailaddress1',
    'emailaddress2',
    'emailaddress3',
    'telephone1',
    'mobilephone',
    'jobtitle',
  ]),
  deal: new Set(['name']),
};
