import { type Logger } from '../../logger';
import { type CrmObject } from '../types';
import { type VendorHttpClient } from '../http/vendor-client';
import { type DynamicsSettings } from './settings';

/** What every Dynamics API-area module works with: one per connector instance. */
export interface DynamicsApi {
  readonly crm: 'dynamics';
  /**
   * The connection's shared client, based at the environment URL: auth, the per-connection request
   * budget, `Retry-After` on 429, typed errors (`hooks.ts`).
   */
  readonly http: VendorHttpClient;
  /** Keys the in-process metadata cache (`describe.ts`). */
  readonly connectionId: string;
  readonly settings: DynamicsSettings;
  /** Objects the request reads for identity alone (`ConnectorContext.identityOnly`): `columns.ts`. */
  readonly identityOnly: readonly CrmObject[];
  readonly readBatch: number;
  readonly writeBatch: number;
  readonly logger: Logger;
}
