import { type CrmKind } from '../../../src/config/crms';
import { type CallPriority } from '../../../src/connectors/http/http.types';
import { type CrmConnector, type CrmObject, type NativeValue } from '../../../src/connectors/types';

/**
 * What a connector issue provides so that the shared suite (`suite.ts`) runs against its sandbox. Add
 * one entry per CRM in `entries.ts`; `conformance.test.ts` runs the suite for every registered
 * connector and fails when a registered connector has no entry.
 */
export interface ConformanceEntry {
  crm: CrmKind;
  /** Starts the vendor's sandbox, seeded with `expectations.seeded`, and a connection on it. */
  start(): Promise<ConformanceRig>;
  /** `METHOD route` keys (as the sandbox request log writes them) of the bulk calls. */
  routes: { bulkRead(obj: CrmObject): RegExp; bulkWrite(obj: CrmObject): RegExp };
  expectations: ConformanceExpectations;
}

/** A running sandbox with a connection on it, built the way production builds one. */
export interface ConformanceRig {
  /** A connector on the sandbox connection; one per request or job, as in production. */
  connector(priority?: CallPriority): CrmConnector;
  /** Vendor calls logged by the sandbox since the last `clearLog` whose `METHOD route` matches. */
  calls(route: RegExp): number;
  clearLog(): void;
  /** The sandbox's clock (epoch ms): changes are asked for relative to it. */
  now(): number;
  close(): Promise<void>;
}

export interface ConformanceExpectations {
  /** Records the sandbox seeds per object (listing to the end must find exactly these). */
  seeded: Record<CrmObject, number>;
  /** Native fields of a valid new record; `n` makes values unique. */
  newRecord(obj: CrmObject, n: number): Record<string, NativeValue>;
  /** Native fields the vendor rejects as invalid (reported per record, VALIDATION); absent: not checked. */
  invalidRecord?(obj: CrmObject): Record<string, NativeValue> | undefined;
  /** A native field and value for the update round trip. */
  update(obj: CrmObject): { field: string; value: NativeValue };
  /** A well-formed id that names no record. */
  unknownId(obj: CrmObject): string;
}
