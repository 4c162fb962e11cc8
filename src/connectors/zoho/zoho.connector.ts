import { type AuthKind } from '../../config/crms';
import { BadUserInputError } from '../../errors';
import {
  limitsOf,
  type AccountIdentity,
  type ChangesOptions,
  type ChangesPage,
  type ConnectorContext,
  type ConnectorLimits,
  type CrmConnector,
  type CrmObject,
  type ExportOptions,
  type ExportPage,
  type LinkPair,
  type ListFilterSupport,
  type ListOptions,
  type NativeChange,
  type NativeDealStage,
  type NativeField,
  type NativeRecord,
  type NotificationChannel,
  type NotificationsRequest,
  type Page,
  type BulkWriteJobs,
  type RecordWrite,
  type WebhookRequest,
  type WriteResult,
} from '../types';
import { type ZohoApi } from './api-context';
import { getAssociations, linkRecords, unlinkRecords } from './associations';
import { listChanges } from './changes';
import { connectionDc, sameUrl } from './data-centres';
import { zohoDeclaration } from './declaration';
import { exportRecords } from './export';
import { describeFields } from './fields';
import { listRecords } from './list';
import { ensureNotifications } from './notifications';
import { ZOHO_LIST_FILTERS } from './list-filter';
import { identify } from './org';
import { dealStages } from './pipelines';
import { getRecords } from './records';
import { zohoSettings } from './settings';
import { parseWebhook, verifyWebhook } from './webhooks';
import { bulkGroupOf, deleteRecords, upsertRecords } from './writes';
import { collectBulkWrite, submitBulkWrite } from './bulk-write';
import { CRM } from './zoho.constants';

export interface ZohoConnectorOptions {
  /** @defaultValue Date.now (change windows, the metadata caches) */
  now?: () => number;
  /** @defaultValue real timers (only Bulk Write job polling waits) */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The connection's DC, from its stored accounts URL; its stored API URL must be that DC's API domain
 * (docs/vendors/zoho.md "Connector: OAuth and data centres"): a token is only ever sent there.
 */
function dcOf(vendorUrls: Readonly<Record<string, string>>): ZohoApi['dc'] {
  const dc = connectionDc(vendorUrls);
  if (vendorUrls.api && !sameUrl(vendorUrls.api, dc.hosts.api)) {
    throw new BadUserInputError(
      `Zoho CRM API URL ${JSON.stringify(vendorUrls.api)} is not the API domain of data centre ${dc.id} (${dc.hosts.api})`,
    );
  }
  return dc;
}

/**
 * Zoho CRM (API v8) behind the common connector interface. All calls go through the connection's shared
 * HTTP client, based at its data centre's API domain (the token as `Zoho-oauthtoken`, the org's credit
 * budget priced per endpoint class, the org's concurrency slots, typed errors from `hooks.ts`); each
 * API area lives in its own file next to this one, taking one {@link ZohoApi}.
 */
export class ZohoConnector implements CrmConnector {
  readonly kind = CRM;
  readonly limits: ConnectorLimits = limitsOf(zohoDeclaration);
  private readonly api: ZohoApi;

  constructor(ctx: ConnectorContext, options: ZohoConnectorOptions = {}) {
    this.api = {
      http: ctx.http,
      connectionId: ctx.connection.id,
      dc: dcOf(ctx.connection.vendorUrls),
      settings: zohoSettings(ctx.connection.settings),
      readFields: ctx.readFields ?? {},
      logger: ctx.logger,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    };
  }

  /** One list call with `ids` per 100 ids (`records.ts`). */
  getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    return getRecords(this.api, obj, remoteIds);
  }

  /** See `list-filter.ts`: the modification time, equality and prefixes, in the COQL keyset query. */
  readonly listFilters: ListFilterSupport = ZOHO_LIST_FILTERS;

  listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>> {
    return listRecords(this.api, obj, options);
  }

  describeFields(obj: CrmObject): Promise<NativeField[]> {
    return describeFields(this.api, obj);
  }

  /** The list by `page_token`, continued by keyset past its reach (`export.ts`). */
  exportRecords(obj: CrmObject, options: ExportOptions): Promise<ExportPage> {
    return exportRecords(this.api, obj, options);
  }

  /** COQL by (`Modified_Time`, id) keyset, then the deleted-records list (`changes.ts`). */
  listChanges(obj: CrmObject, options: ChangesOptions): Promise<ChangesPage> {
    return listChanges(this.api, obj, options);
  }

  /** The org id (`GET /org`): the credit budget's and the notifications' account. */
  identify(_authKind: AuthKind): Promise<AccountIdentity> {
    return identify(this.api);
  }

  dealStages(): Promise<NativeDealStage[]> {
    return dealStages(this.api);
  }

  /** The channel token every callback echoes, as the connection's settings hold it. */
  verifyWebhook(req: WebhookRequest): boolean {
    return verifyWebhook(this.api, req);
  }

  parseWebhook(req: WebhookRequest): NativeChange[] {
    return parseWebhook(this.api, req);
  }

  /** The connection's watch channel, subscribed or renewed before `channel_expiry` (`notifications.ts`). */
  ensureNotifications(request: NotificationsRequest): Promise<NotificationChannel> {
    return ensureNotifications(this.api, request);
  }

  /** Deal ↔ contact through `Contact_Name`, and contact roles with `dealContactRoles` (`associations.ts`). */
  getAssociations(
    from: CrmObject,
    remoteIds: readonly string[],
    to: CrmObject,
  ): Promise<Map<string, string[]>> {
    return getAssociations(this.api, from, remoteIds, to);
  }

  linkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return linkRecords(this.api, from, to, pairs);
  }

  unlinkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return unlinkRecords(this.api, from, to, pairs);
  }

  /**
   * Updates, gateway-keyed upserts and inserts, 100 a call, one outcome per record (`writes.ts`); an
   * update or keyed-upsert group of `BULK_WRITE.threshold` records or more runs as a Bulk Write job.
   */
  upsertRecords(obj: CrmObject, writes: readonly RecordWrite[]): Promise<WriteResult[]> {
    return upsertRecords(this.api, obj, writes);
  }

  /** Bulk Write as a delayed job of the engine: submit, then a look per poll (`bulk-write.ts`). */
  readonly bulkWrites: BulkWriteJobs = {
    submit: async (obj, writes) => submitBulkWrite(this.api, obj, await bulkGroupOf(this.api, obj, writes)),
    collect: (_obj, ref, writes) => collectBulkWrite(this.api, ref, writes),
  };

  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]> {
    return deleteRecords(this.api, obj, remoteIds);
  }
}

export function createZohoConnector(ctx: ConnectorContext): CrmConnector {
  return new ZohoConnector(ctx);
}
