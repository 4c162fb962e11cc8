import { type Connection } from 'jsforce';
import { BadUserInputError } from '../../errors';
import { type VendorHttpClient } from '../http/vendor-client';
import { type CrmObject } from '../types';
import { type SalesforceSettings } from './objects';

/** What every Salesforce API-area module works with: one per connector instance. */
export interface SalesforceApi {
  readonly crm: 'salesforce';
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

/** Opaque cursors: base64url JSON, so callers cannot depend on their shape. */
export function encodeCursor(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export function decodeCursor<T>(cursor: string, what: string, check: (v: unknown) => v is T): T {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!check(parsed))
    throw new BadUserInputError(`not a Salesforce ${what} cursor: ${JSON.stringify(cursor.slice(0, 40))}`);
  return parsed;
}
