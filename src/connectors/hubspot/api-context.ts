import { type Logger } from '../../logger';
import { type VendorHttpClient } from '../http/vendor-client';
import { type TokenAccess } from '../types';
import { type HubSpotSettings } from './settings';

/** What every HubSpot API-area module works with: one per connector instance. */
export interface HubSpotApi {
  readonly crm: 'hubspot';
  /** The connection's shared client: auth, budget gate from `X-HubSpot-RateLimit-*`, retries, typed errors. */
  readonly http: VendorHttpClient;
  /** Keys the in-process property cache (`properties.ts`). */
  readonly connectionId: string;
  /** The connection's portal, once known: webhook deliveries carry every installing portal's events. */
  readonly portalId: string | null;
  readonly settings: HubSpotSettings;
  readonly readBatch: number;
  readonly writeBatch: number;
  /** The connection's token, which HubSpot's token-metadata endpoint takes in its path (`auth.ts`). */
  readonly tokens: TokenAccess;
  readonly logger: Logger;
  /** Injected so tests fix the change-poll window without waiting. */
  readonly now: () => number;
}
