import { type AuthKind } from '../../config/crms';
import {
  limitsOf,
  type AccountIdentity,
  type ChangesOptions,
  type ChangesPage,
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
import { listChanges, startChanges } from './changes';
import { describeFields } from './describe';
import { exportRecords } from './export';
import { identify } from './identify';
import { listRecords } from './list';
import { DYNAMICS_LIST_FILTERS } from './list-filter';
import { getRecords } from './records';
import { dynamicsSettings } from './settings';
import { parseWebhook, verifyWebhook } from './webhooks';
import { deleteRecords, upsertRecords } from './writes';

export interface DynamicsConnectorOptions {
  /** @defaultValue Date.now (the change feed's window check) */
  now?: () => number;
}

/**
 * Dynamics 365 (Dataverse Web API v9.2) behind the common connector interface. All calls go through the
 * connection's shared HTTP client, based at the environment URL (auth, the per-connection request
 * budget, `Retry-After` on 429, typed errors from `hooks.ts`); each API area lives in its own file next
 * to this one, taking one {@link DynamicsApi}.
 */
export class DynamicsConnector implements CrmConnector {
  readonly kind = 'dynamics' as const;
  readonly limits: ConnectorLimits;
  private readonly api: DynamicsApi;
  private readonly now: () => number;

  constructor(ctx: ConnectorContext, options: DynamicsConnectorOptions = {}) {
    this.now = options.now ?? Date.now;
    const decl = dynamicsDeclaration;
    this.limits = limitsOf(decl);
    this.api = {
      crm: 'dynamics',
      http: ctx.http,
      connectionId: ctx.connection.id,
      settings: dynamicsSettings(ctx.connection.settings, ctx.readFields),
      identityOnly: ctx.identityOnly ?? [],
      readBatch: decl.batch.read,
      writeBatch: decl.batch.write,
      logger: ctx.logger,
    };
  }

  getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    return getRecords(this.api, obj, remoteIds);
  }

  /** See `list-filter.ts`: the stamp, and equality and prefix on text columns. */
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

  /** Delta links from the position the sync keeps (`changes.ts`); `since` bounds the token's age. */
  listChanges(obj: CrmObject, options: ChangesOptions): Promise<ChangesPage> {
    return listChanges(this.api, obj, options, this.now);
  }

  /** A delta token as of now, from a tracked read of the key column alone (`changes.ts`). */
  startChanges(obj: CrmObject, onPage?: () => Promise<void>): Promise<string> {
    return startChanges(this.api, obj, onPage);
  }

  /** The organization id (`WhoAmI`): the account webhook deliveries are routed by. */
  identify(_authKind: AuthKind): Promise<AccountIdentity> {
    return identify(this.api);
  }

  /** The endpoint's WebhookKey (`code`) or HttpHeader values, as the connection's settings hold them. */
  verifyWebhook(req: WebhookRequest): boolean {
    return verifyWebhook(this.api, req);
  }

  parseWebhook(req: WebhookRequest): NativeChange[] {
    return parseWebhook(this.api, req);
  }

  /** Deal ↔ contact through the opportunity's `parentcontactid` and connections (`associations.ts`). */
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

export function createDynamicsConnector(ctx: ConnectorContext): CrmConnector {
  return new DynamicsConnector(ctx);
}
