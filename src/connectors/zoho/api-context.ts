import { type Logger } from '../../logger';
import { type VendorHttpClient } from '../http/vendor-client';
import { type CrmObject, type ReadFields } from '../types';
import { type DcHosts, type DcId } from './data-centres';
import { type ZohoSettings } from './settings';

/** What every Zoho API-area module works with: one per connector instance. */
export interface ZohoApi {
  /**
   * The connection's shared client, based at its DC's API domain: the token as `Zoho-oauthtoken`, the
   * org's credit budget priced per endpoint class, the org's concurrency slots, typed errors (`hooks.ts`).
   */
  readonly http: VendorHttpClient;
  /** Keys the in-process metadata caches (`fields.ts`, `org.ts`). */
  readonly connectionId: string;
  /** The connection's data centre and its hosts (`data-centres.ts`). */
  readonly dc: { id: DcId; hosts: DcHosts };
  readonly settings: ZohoSettings;
  /** Mapped native fields the framework asks to read (`ConnectorContext.readFields`). */
  readonly readFields: ReadFields;
  readonly logger: Logger;
  readonly now: () => number;
  /** Waits between looks at a Bulk Write job (`bulk-write.ts`). */
  readonly sleep: (ms: number) => Promise<void>;
}

/** The object's extra fields to read: mapped ones and the settings' `extraFields`. */
export function extraFields(api: ZohoApi, obj: CrmObject): string[] {
  return [...(api.readFields[obj] ?? []), ...(api.settings.extraFields?.[obj] ?? [])];
}
