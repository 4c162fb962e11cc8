import {
  limitsOf,
  type ConnectorContext,
  type ConnectorLimits,
  type ExportOptions,
  type ExportPage,
  type CrmConnector,
  type CrmObject,
  type ListFilterSupport,
  type ListOptions,
  type NativeField,
  type NativeRecord,
  type Page,
  type LinkPair,
  type NativeChange,
  type RecordWrite,
  type WebhookRequest,
  type WriteResult,
} from '../types';
import { type DynamicsApi } from './api-context';
import { getAssociations, linkRecords, unlinkRecords } from './associations';
import { dynamicsDeclaration } from './declaration';
import { type TrackedPage, readChanges } from './changes';
import { describeFields } from './describe';
import { exportRecords } from './export';
import { DYNAMICS_LIST_FILTERS, listRecords } from './list';
import { getRecords } from './records';
import { dynamicsSettings } from './settings';
import { parseWebhook, verifyWebhook } from './webhooks';
import { deleteRecords, upsertRecords } from './writes';

/**
 * The part of {@link CrmConnector} built so far (issue 19, in order: reads, then writes, changes and
 * webhooks). Its kind is not a registered `CrmKind` until the whole interface is implemented and the
 * shared conformance suite passes; then this becomes `implements CrmConnector`.
 */
export type DynamicsConnectorSoFar = Pick<
  CrmConnector,
  | 'limits'
  | 'getRecords'
  | 'listRecords'
  | 'listFilters'
  | 'describeFields'
  | 'upsertRecords'
  | 'deleteRecords'
  | 'exportRecords'
  | 'verifyWebhook'
  | 'parseWebhook'
  | 'getAssociations'
  | 'linkRecords'
  | 'unlinkRecords'
> & { readonly kind: 'dynamics' };

/**
 * Dynamics 365 (Dataverse Web API v9.2) behind the common connector interface. All calls go through the
 * connection's shared HTTP client, based at the environment URL (auth, the per-connection request
 * budget, `Retry-After` on 429, typed errors from `hooks.ts`); each API area lives in its own file next
 * to this one, taking one {@link DynamicsApi}.
 */
export class DynamicsConnector implements DynamicsConnectorSoFar {
  readonly kind = 'dynamics' as const;
  readonly limits: ConnectorLimits;
  private readonly api: DynamicsApi;

  constructor(ctx: ConnectorContext) {
    const decl = dynamicsDeclaration;
    this.limits = limitsOf(decl);
    this.api = {
      crm: 'dynamics',
      http: ctx.http,
      connectionId: ctx.connection.id,
      settings: dynamicsSettings(ctx.connection.settings, ctx.readFields),
      readBatch: decl.batch.read,
      writeBatch: decl.batch.write,
      logger: ctx.logger,
    };
  }

  getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    return getRecords(this.api, obj, remoteIds);
  }

  /** See `list.ts`: only the modification stamp is pushed down. */
  readonly listFilters: ListFilterSupport = DYNAMICS_LIST_FILTERS;

  listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>> {
    return listRecords(this.api, obj, options);
  }

  describeFields(obj: CrmObject): Promise<NativeField[]> {
    return describeFields(this.api, obj);
  }

  /** List pages of 5,000 rows with the count on the first (`export.ts`). */
  exportRecords(obj: CrmObject, options: ExportOptions): Promise<ExportPage> {
    return exportRecords(this.api, obj, options);
  }

  /**
   * One page of Dataverse change tracking (`changes.ts`): the delta-link primitive `listChanges` will be
   * built on once the poll keeps a connector's delta position between polls.
   */
  readChanges(obj: CrmObject, options: { cursor?: string | null; pageSize?: number }): Promise<TrackedPage> {
    return readChanges(this.api, obj, options);
  }

  /** The endpoint's WebhookKey (`code`) or HttpHeader values, as the connection's settings hold them. */
  verifyWebhook(req: WebhookRequest): boolean {
    return verifyWebhook(this.api, req);
  }

  parseWebhook(req: WebhookRequest): NativeChange[] {
    return parseWebhook(this.api, req);
  }

  /** Deal ↔ contact through the opportunity's `parentcontactid` (`associations.ts`). */
  getAssociations(
    from: CrmObject,
    remoteIds: readonly string[],
    to: CrmObject,
  ): Promise<Map<string, string[]>> {
    return getAssociations(this.api, from, remoteIds, to);
  }

  linkRecords(from: CrmObject, _to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return linkRecords(this.api, from, pairs);
  }

  unlinkRecords(from: CrmObject, _to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return unlinkRecords(this.api, from, pairs);
  }

  /** One `$batch` (continue-on-error) per call, and one more when deals are won or lost (`writes.ts`). */
  upsertRecords(obj: CrmObject, writes: readonly RecordWrite[]): Promise<WriteResult[]> {
    return upsertRecords(this.api, obj, writes);
  }

  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]> {
    return deleteRecords(this.api, obj, remoteIds);
  }
}
