import { type AuthKind } from '../../config/crms';
import {
  limitsOf,
  type AccountIdentity,
  type ChangesOptions,
  type ConnectorContext,
  type ConnectorLimits,
  type CrmConnector,
  type CrmObject,
  type ExportOptions,
  type ExportPage,
  type ListFilterSupport,
  type LinkPair,
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
import { type HubSpotApi } from './api-context';
import { linkRecords, unlinkRecords } from './association-writes';
import { getAssociations } from './associations';
import { identify } from './auth';
import { deleteRecords, upsertRecords } from './batch-write';
import { exportRecords } from './export';
import { listChanges } from './changes';
import { dealStages } from './pipelines';
import { hubspotDeclaration } from './declaration';
import { MODIFIED_PROPERTY } from './hubspot.constants';
import { HUBSPOT_LIST_FILTERS, listRecords } from './list-search';
import { freshProperties, propertyNames } from './properties';
import { getRecords } from './records';
import { hubspotSettings } from './settings';
import { parseWebhook, verifyWebhook } from './webhooks';

export interface HubSpotConnectorOptions {
  /** @defaultValue Date.now (the end of a change poll's window) */
  now?: () => number;
}

/**
 * HubSpot behind the common connector interface: CRM objects v3 (batch read/create/update/upsert/
 * archive, lists, search), associations v4 (read, associate, archive), properties and pipelines, app webhooks v3. All calls go
 * through the connection's shared HTTP client (auth, budget gate from `X-HubSpot-RateLimit-*`, retries,
 * typed errors); each API area lives in its own file next to this one, taking one {@link HubSpotApi}.
 */
export class HubSpotConnector implements CrmConnector {
  readonly kind = 'hubspot' as const;
  readonly limits: ConnectorLimits;
  private readonly api: HubSpotApi;
  private readonly identityOnly: readonly CrmObject[];

  constructor(ctx: ConnectorContext, options: HubSpotConnectorOptions = {}) {
    const decl = hubspotDeclaration;
    this.limits = limitsOf(decl);
    this.identityOnly = ctx.identityOnly ?? [];
    this.api = {
      crm: 'hubspot',
      http: ctx.http,
      connectionId: ctx.connection.id,
      portalId: ctx.connection.externalAccountId,
      settings: hubspotSettings(ctx.connection.settings, ctx.readFields),
      readBatch: decl.batch.read,
      writeBatch: decl.batch.write,
      tokens: ctx.tokens,
      logger: ctx.logger,
      now: options.now ?? Date.now,
    };
  }

  private async properties(obj: CrmObject): Promise<string[]> {
    // Read for identity alone (`ConnectorContext.identityOnly`): the id and the stamps, and no
    // property listing to learn the rest.
    if (this.identityOnly.includes(obj)) return ['hs_object_id', 'createdate', MODIFIED_PROPERTY[obj]];
    const names = await propertyNames(this.api, obj);
    const extra = this.api.settings.fields[obj].filter((f) => !f.includes('.') && !names.includes(f));
    return extra.length > 0 ? [...names, ...extra] : names;
  }

  getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    return getRecords(this.api, obj, remoteIds, () => this.properties(obj));
  }

  /** See `list-search.ts`: a filtered list is a search, which never returns archived records. */
  readonly listFilters: ListFilterSupport = HUBSPOT_LIST_FILTERS;

  listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>> {
    return listRecords(this.api, obj, options, () => this.properties(obj));
  }

  /** The list endpoint's pages, with a search's count on the first (`export.ts`). */
  exportRecords(obj: CrmObject, options: ExportOptions): Promise<ExportPage> {
    return exportRecords(this.api, obj, options, () => this.properties(obj));
  }

  listChanges(obj: CrmObject, options: ChangesOptions): Promise<Page<NativeChange>> {
    return listChanges(this.api, obj, options, () => this.properties(obj));
  }

  getAssociations(
    from: CrmObject,
    remoteIds: readonly string[],
    to: CrmObject,
  ): Promise<Map<string, string[]>> {
    return getAssociations(this.api, from, remoteIds, to);
  }

  upsertRecords(obj: CrmObject, writes: readonly RecordWrite[]): Promise<WriteResult[]> {
    return upsertRecords(this.api, obj, writes);
  }

  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]> {
    return deleteRecords(this.api, obj, remoteIds);
  }

  linkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return linkRecords(this.api, from, to, pairs);
  }

  unlinkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return unlinkRecords(this.api, from, to, pairs);
  }

  /** Always read fresh (and refreshes the cache reads use), so a property created a moment ago shows. */
  describeFields(obj: CrmObject): Promise<NativeField[]> {
    return freshProperties(this.api, obj);
  }

  /** Deal stages of every pipeline with OPEN/WON/LOST, for the stage mapping. */
  dealStages(): Promise<NativeDealStage[]> {
    return dealStages(this.api);
  }

  /** Which portal (and, for OAuth tokens, which app) the connection's token belongs to. */
  identify(authKind: AuthKind): Promise<AccountIdentity> {
    return identify(this.api, authKind);
  }

  verifyWebhook(req: WebhookRequest): boolean {
    return verifyWebhook(this.api, req);
  }

  parseWebhook(req: WebhookRequest): NativeChange[] {
    return parseWebhook(this.api, req);
  }
}

export function createHubSpotConnector(ctx: ConnectorContext): CrmConnector {
  return new HubSpotConnector(ctx);
}
