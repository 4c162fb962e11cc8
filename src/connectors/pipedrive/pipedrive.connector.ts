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
  type LinkPair,
  type ListFilterSupport,
  type ListOptions,
  type NativeChange,
  type NativeDealStage,
  type NativeField,
  type NativeRecord,
  type Page,
  type RecordWrite,
  type WebhookRequest,
  type WriteResult,
} from '../types';
import { type PipedriveApi } from './api-context';
import { getAssociations, linkRecords, unlinkRecords } from './associations';
import { listChanges } from './changes';
import { pipedriveDeclaration } from './declaration';
import { exportRecords } from './export';
import { describeFields } from './fields';
import { identify } from './identify';
import { listRecords } from './list';
import { PIPEDRIVE_LIST_FILTERS } from './list-filter';
import { dealStages } from './pipelines';
import { getRecords } from './records';
import { pipedriveSettings } from './settings';
import { parseWebhook, verifyWebhook } from './webhooks';
import { deleteRecords, upsertRecords } from './writes';

export interface PipedriveConnectorOptions {
  /** @defaultValue Date.now (change windows, the field-metadata cache) */
  now?: () => number;
}

/**
 * Pipedrive (API v2, v1 where v2 has no equivalent) behind the common connector interface. All calls
 * go through the connection's shared HTTP client, based at its API domain (the token in the header
 * its kind takes, the burst and daily token budgets priced per endpoint, typed errors from
 * `hooks.ts`); each API area lives in its own file next to this one, taking one {@link PipedriveApi}.
 */
export class PipedriveConnector implements CrmConnector {
  readonly kind = 'pipedrive' as const;
  readonly limits: ConnectorLimits = limitsOf(pipedriveDeclaration);
  private readonly api: PipedriveApi;

  constructor(ctx: ConnectorContext, options: PipedriveConnectorOptions = {}) {
    this.api = {
      http: ctx.http,
      connectionId: ctx.connection.id,
      settings: pipedriveSettings(ctx.connection.settings),
      logger: ctx.logger,
      now: options.now ?? Date.now,
    };
  }

  /** One v2 list call with `ids` per 100 ids (`records.ts`). */
  getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    return getRecords(this.api, obj, remoteIds);
  }

  /** See `list-filter.ts`: time and ids through the list, equality and prefixes through search. */
  readonly listFilters: ListFilterSupport = PIPEDRIVE_LIST_FILTERS;

  listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>> {
    return listRecords(this.api, obj, options);
  }

  describeFields(obj: CrmObject): Promise<NativeField[]> {
    return describeFields(this.api, obj);
  }

  /** The list in pages of 500; the total once the last page is read (`export.ts`). */
  exportRecords(obj: CrmObject, options: ExportOptions): Promise<ExportPage> {
    return exportRecords(this.api, obj, options);
  }

  /** `updated_since` by `update_time`; deleted deals in the same walk, deleted persons from recents. */
  listChanges(obj: CrmObject, options: ChangesOptions): Promise<ChangesPage> {
    return listChanges(this.api, obj, options);
  }

  /** The company id (`users/me`): the daily budget's scope and the account webhooks name. */
  identify(_authKind: AuthKind): Promise<AccountIdentity> {
    return identify(this.api);
  }

  dealStages(): Promise<NativeDealStage[]> {
    return dealStages(this.api);
  }

  /** The webhook's Basic-auth credentials, as the connection's settings hold them. */
  verifyWebhook(req: WebhookRequest): boolean {
    return verifyWebhook(this.api, req);
  }

  parseWebhook(req: WebhookRequest): NativeChange[] {
    return parseWebhook(this.api, req);
  }

  /** Deal ↔ person through the deal's `person_id`, and its participants with `dealParticipants` (`associations.ts`). */
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

  /** One call per record: Pipedrive has no batch write (`writes.ts`). */
  upsertRecords(obj: CrmObject, writes: readonly RecordWrite[]): Promise<WriteResult[]> {
    return upsertRecords(this.api, obj, writes);
  }

  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]> {
    return deleteRecords(this.api, obj, remoteIds);
  }
}

export function createPipedriveConnector(ctx: ConnectorContext): CrmConnector {
  return new PipedriveConnector(ctx);
}
