import { type AuthKind, CRMS } from '../../config/crms';
import {
  type AccountIdentity,
  type ChangesOptions,
  type ConnectorContext,
  type ConnectorLimits,
  type CrmConnector,
  type CrmObject,
  type ListFilterSupport,
  type ListOptions,
  type NativeChange,
  type NativeField,
  type NativeRecord,
  type Page,
  type RecordWrite,
  type WebhookRequest,
  type WriteResult,
} from '../types';
import { readAssociations } from './associations';
import { identifyToken } from './auth';
import { archiveBatch, upsertBatch } from './batch-write';
import { changesPage } from './changes';
import { type DealStage, fetchDealStages } from './pipelines';
import { HUBSPOT_LIST_FILTERS, listSearchGroups, searchListPage } from './list-search';
import { freshProperties, propertyNames } from './properties';
import { batchRead, listPage } from './records';
import { type HubSpotSettings, hubspotSettings } from './settings';
import { type ParsedEvent, parseEvents, toChanges, verifyV3 } from './webhooks';

/**
 * HubSpot behind the common connector interface: CRM objects v3 (batch read/create/update/upsert/
 * archive, lists, search), associations v4, properties and pipelines, app webhooks v3. All calls go
 * through the connection's shared HTTP client (auth, budget gate from `X-HubSpot-RateLimit-*`, retries,
 * typed errors); each API area lives in its own file next to this one.
 */
export class HubSpotConnector implements CrmConnector {
  readonly kind = 'hubspot' as const;
  readonly limits: ConnectorLimits;
  private readonly settings: HubSpotSettings;

  constructor(
    private readonly ctx: ConnectorContext,
    private readonly now: () => number = Date.now,
  ) {
    const decl = CRMS.hubspot;
    this.limits = { readBatch: decl.batch.read, writeBatch: decl.batch.write, budgets: decl.budgets };
    this.settings = hubspotSettings(ctx.connection.settings, ctx.readFields);
  }

  private async properties(obj: CrmObject): Promise<string[]> {
    const names = await propertyNames(this.ctx.http, this.ctx.connection.id, obj);
    const extra = this.settings.fields[obj].filter((f) => !f.includes('.') && !names.includes(f));
    return extra.length > 0 ? [...names, ...extra] : names;
  }

  async getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    if (remoteIds.length > this.limits.readBatch) {
      throw new RangeError(
        `getRecords takes at most ${this.limits.readBatch} ids per call (one HubSpot batch read); got ${remoteIds.length}`,
      );
    }
    if (remoteIds.length === 0) return [];
    return batchRead(this.ctx.http, obj, remoteIds, await this.properties(obj));
  }

  /** See `list-search.ts`: a filtered list is a search, which never returns archived records. */
  readonly listFilters: ListFilterSupport = HUBSPOT_LIST_FILTERS;

  async listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>> {
    const properties = await this.properties(obj);
    // With includeDeleted the list endpoint is read unfiltered (a superset): search has no archived records.
    const groups = options.includeDeleted ? null : listSearchGroups(obj, options.filter);
    return groups
      ? searchListPage(this.ctx.http, obj, options, groups, properties)
      : listPage(this.ctx.http, obj, options, properties);
  }

  listChanges(obj: CrmObject, options: ChangesOptions): Promise<Page<NativeChange>> {
    return changesPage(
      {
        http: this.ctx.http,
        properties: () => this.properties(obj),
        overlapMs: this.settings.searchOverlapMs,
        now: this.now,
      },
      obj,
      options,
    );
  }

  getAssociations(
    from: CrmObject,
    remoteIds: readonly string[],
    to: CrmObject,
  ): Promise<Map<string, string[]>> {
    return readAssociations(this.ctx.http, from, remoteIds, to, this.limits.readBatch);
  }

  upsertRecords(obj: CrmObject, writes: readonly RecordWrite[]): Promise<WriteResult[]> {
    return upsertBatch(this.ctx.http, obj, writes, this.limits.writeBatch);
  }

  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]> {
    return archiveBatch(this.ctx.http, obj, remoteIds, this.limits.writeBatch);
  }

  /** Always read fresh (and refreshes the cache reads use), so a property created a moment ago shows. */
  describeFields(obj: CrmObject): Promise<NativeField[]> {
    return freshProperties(this.ctx.http, this.ctx.connection.id, obj);
  }

  /** Deal stages of every pipeline with OPEN/WON/LOST, for the stage mapping. */
  dealStages(): Promise<DealStage[]> {
    return fetchDealStages(this.ctx.http);
  }

  /** Which portal (and, for OAuth tokens, which app) the connection's token belongs to. */
  async identify(authKind: AuthKind): Promise<AccountIdentity> {
    const token = await this.ctx.tokens.get();
    return identifyToken(this.ctx.http, authKind, token.value);
  }

  verifyWebhook(req: WebhookRequest): boolean {
    return verifyV3(req, { secret: this.settings.webhookClientSecret, publicUrl: this.settings.webhookUrl });
  }

  /**
   * Changes of this connection's portal. HubSpot sends every installing portal's events to the app's one
   * URL, so events of other portals are skipped, and all of them while the portal is unknown.
   */
  parseWebhook(req: WebhookRequest): NativeChange[] {
    return this.parseWebhookEvents(req).map((e) => e.change);
  }

  /** Like {@link parseWebhook}, with the object each change concerns (one delivery mixes objects). */
  parseWebhookEvents(req: WebhookRequest): ParsedEvent[] {
    const events = parseEvents(req.rawBody);
    const portalId = this.ctx.connection.externalAccountId;
    if (portalId === null && events.length > 0) {
      this.ctx.logger.warn(
        { events: events.length },
        'HubSpot webhook events dropped: the connection does not know its portal id, so none of them can be told to be its own (reconnect it to learn the portal)',
      );
    }
    return toChanges(events, portalId);
  }
}

export function createHubSpotConnector(ctx: ConnectorContext): HubSpotConnector {
  return new HubSpotConnector(ctx);
}
