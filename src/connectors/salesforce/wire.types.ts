/**
 * Salesforce REST shapes as they cross the wire (docs/vendors/salesforce.md). Only the
 * parts the connector reads are typed; everything else passes through as {@link WireValue}.
 */

export type WireValue = string | number | boolean | null | WireValue[] | { [key: string]: WireValue };

/** A record as query and retrieve return it: `attributes` first, then the fields (related records nested). */
export interface WireRecord {
  attributes?: { type: string; url?: string };
  Id?: string;
  [field: string]: WireValue | undefined;
}

/** `/query`, `/queryAll` and `/query/{locator}` (docs/vendors/salesforce.md "SOQL query and queryAll"). `done` is omitted on some empty results. */
export interface WireQueryResult {
  totalSize: number;
  done?: boolean;
  nextRecordsUrl?: string;
  records: WireRecord[];
}

/** One per-record error of sObject Collections: `statusCode`, not the `errorCode` of REST errors (docs/vendors/salesforce.md "sObject Collections"). */
export interface WireSaveError {
  statusCode: string;
  message: string;
  fields?: string[];
}

/** A SaveResult (create/update/delete) or UpsertResult (`created` from v46). */
export interface WireSaveResult {
  id?: string | null;
  success: boolean;
  errors: WireSaveError[];
  created?: boolean;
}

/** One `fields[]` entry of `GET /sobjects/{T}/describe` (docs/vendors/salesforce.md "Describe"); only what we map. */
export interface WireDescribeField {
  name: string;
  label: string;
  type: string;
  custom: boolean;
  nillable: boolean;
  createable: boolean;
  updateable: boolean;
  defaultedOnCreate?: boolean;
  calculated?: boolean;
  unique?: boolean;
  externalId?: boolean;
  picklistValues?: { value: string; label: string | null; active: boolean }[];
  referenceTo?: string[];
  relationshipName?: string | null;
}

export interface WireDescribeResult {
  name: string;
  fields: WireDescribeField[];
}

/** Bulk API 2.0 JobInfo (docs/vendors/salesforce.md "Bulk API 2.0"). */
export interface WireIngestJob {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  object: string;
  operation: string;
  errorMessage?: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
}

/** Bulk API 2.0 query JobInfo (docs/vendors/salesforce.md "Bulk API 2.0 query jobs"); only what we read. */
export interface WireQueryJob {
  id: string;
  state: 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  object?: string;
  operation?: string;
  /** Records the job's results hold, once it is JobComplete. */
  numberRecordsProcessed?: number;
  errorMessage?: string;
}
