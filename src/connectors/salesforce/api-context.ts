import { type Connection } from 'jsforce';
import { type VendorHttpClient } from '../http/vendor-client';
import { type CrmObject } from '../types';
import { type SalesforceSettings } from './objects';

/** What every Salesforce API-area module works with: one per connector instance. */
export interface SalesforceApi {
  readonly crm: 'salesforce';
  /** Keys the per-connection metadata caches (describe, org currency, refused fields). */
  readonly connectionId: string;
  /** jsforce, routed through {@link http} (see `jsforce-transport.ts`). */
  readonly conn: Connection;
  /** The shared client, for what jsforce cannot route (Bulk API 2.0). */
  readonly http: VendorHttpClient;
  readonly settings: SalesforceSettings;
  readonly readBatch: number;
  readonly writeBatch: number;
  /** Injected so tests do not wait for real seconds (Bulk job polling). */
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export function fieldsOf(api: SalesforceApi, obj: CrmObject): readonly string[] {
  return api.settings.fields[obj];
}
