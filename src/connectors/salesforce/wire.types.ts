/**
 * Salesforce REST shapes as they cross the wire (vendor-api/salesforce-hubspot.md Part A). Only the
 * parts the connector reads are typed; everything else passes through as {@link WireValue}.
 */

export type WireValue = string | number | boolean | null | WireValue[] | { [key: string]: WireValue };

/** A record as query and retrieve return it: `attributes` first, then the fields (related records nested). */
export interface WireRecord {
  attributes?: { type: string; url?: string };
  Id?: string;
  [field: string]: WireValue | undefined;
}

/** `/query`, `/queryAll` and `/query/{locator}` (A6). `done` is omitted on some empty results. */
export interface WireQueryResult {
  totalSize: number;
  done?: boolean;
  nextRecordsUrl?: string;
  records: WireRecord[];
}

/** One per-record error of sObject Collections: `statusCode`, not the `errorCode` of REST errors (A8). */
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

/** One `fields[]` entry of `GET /sobjects/{T}/describe` (A12); only what we map. */
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

/** Bulk API 2.0 JobInfo (A10.1). */
export interface WireIngestJob {
  id: string;
  state: 'Open' | 'UploadComplete' | 'InProgress' | 'JobComplete' | 'Failed' | 'Aborted';
  object: string;
  operation: string;
  errorMessage?: string;
  numberRecordsProcessed?: number;
  numberRecordsFailed?: number;
}
