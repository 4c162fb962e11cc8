import { type Logger } from '../../logger';
import { type VendorHttpClient } from '../http/vendor-client';
import { type PipedriveSettings } from './settings';

/** What every Pipedrive API-area module works with: one per connector instance. */
export interface PipedriveApi {
  /**
   * The connection's shared client, based at its API domain: the token in the header its kind takes,
   * the burst and daily budgets priced per endpoint, `x-ratelimit-reset` on 429, typed errors (`hooks.ts`).
   */
  readonly http: VendorHttpClient;
  /** Keys the in-process field-metadata cache (`fields.ts`). */
  readonly connectionId: string;
  readonly settings: PipedriveSettings;
  readonly logger: Logger;
  readonly now: () => number;
}
