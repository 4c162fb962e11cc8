import {
  limitsOf,
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
  type NativeField,
  type NativeRecord,
  type Page,
  type BulkWriteJobs,
  type RecordWrite,
  type RelationshipSupport,
  type WebhookRequest,
  type WriteResult,
} from '../types';
import { CrmValidationError } from '../../errors';
import { type SalesforceApi } from './api-context';
import { getAssociations } from './associations';
import { createJsforceConnection } from './auth';
import { listChanges } from './changes';
import { collectBulkUpsert, submitBulkUpsert } from './bulk';
import { deleteRecords, upsertRecords } from './collections';
import { currencyReading, withCurrency } from './currency';
import { salesforceDeclaration } from './declaration';
import { describeFields, relationshipSupport } from './describe';
import { exportRecords } from './export';
import { linkRecords, unlinkRecords } from './link-writes';
import { parseSalesforceSettings, SALESFORCE_OBJECTS } from './objects';
import { getRecords, listRecords } from './query';
import { markRefused, readDroppingRefusedFields } from './refused-fields';

export interface SalesforceConnectorOptions {
  /** @defaultValue real timers (only Bulk 2.0 job polling waits) */
  sleep?: (ms: number) => Promise<void>;
  /** @defaultValue Date.now */
  now?: () => number;
}

/**
 * The Salesforce connector: Contact and Opportunity over the REST API, through jsforce routed into the
 * connection's shared HTTP client (see `jsforce-transport.ts`), Bulk API 2.0 through that client
 * directly. One instance serves one request or job (`ctx.priority`).
 */
export class SalesforceConnector implements CrmConnector {
  readonly kind = 'salesforce' as const;
  readonly limits: ConnectorLimits;
  private readonly api: SalesforceApi;

  constructor(ctx: ConnectorContext, options: SalesforceConnectorOptions = {}) {
    const decl = salesforceDeclaration;
    this.limits = limitsOf(decl);
    this.api = {
      crm: 'salesforce',
      connectionId: ctx.connection.id,
      conn: createJsforceConnection(ctx.http),
      http: ctx.http,
      settings: parseSalesforceSettings(ctx.connection.settings, ctx.readFields, ctx.identityOnly),
      readBatch: decl.batch.read,
      writeBatch: decl.batch.write,
      sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
      now: options.now ?? Date.now,
    };
    this.relationships = relationshipSupport(this.api);
  }

  /** Relationship paths (`Account.Owner.Email`) up to SOQL's depth limit (`describe.ts`). */
  readonly relationships: RelationshipSupport;

  async getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]> {
    const reading = await currencyReading(this.api, obj);
    const { result, refused } = await readDroppingRefusedFields(reading.api, obj, (api) =>
      getRecords(api, obj, remoteIds),
    );
    return withCurrency(reading, obj, markRefused(result, refused));
  }

  /** Every filter part as SOQL (`soql-filter.ts`), with deleted records too (`/queryAll`). */
  readonly listFilters: ListFilterSupport = {
    equals: true,
    prefix: 'any',
    modifiedSince: true,
    withDeleted: true,
  };

  async listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>> {
    const reading = await currencyReading(this.api, obj);
    const { result: page, refused } = await readDroppingRefusedFields(reading.api, obj, (api) =>
      listRecords(api, obj, options),
    );
    const items = markRefused(page.items, refused);
    return { ...page, items: await withCurrency(reading, obj, items) };
  }

  /** REST pages below `settings.exportBulkThreshold` records, one Bulk API 2.0 query job from it up (`export.ts`). */
  async exportRecords(obj: CrmObject, options: ExportOptions): Promise<ExportPage> {
    const reading = await currencyReading(this.api, obj);
    const { result: page, refused } = await readDroppingRefusedFields(reading.api, obj, (api) =>
      exportRecords(api, obj, options),
    );
    const items = markRefused(page.items, refused);
    return { ...page, items: await withCurrency(reading, obj, items) };
  }

  async listChanges(obj: CrmObject, options: ChangesOptions): Promise<Page<NativeChange>> {
    const reading = await currencyReading(this.api, obj);
    const { result: page, refused } = await readDroppingRefusedFields(reading.api, obj, (api) =>
      listChanges(api, obj, options),
    );
    const records = await withCurrency(
      reading,
      obj,
      markRefused(
        page.items.map((c) => c.record ?? null),
        refused,
      ),
    );
    const items = page.items.map((c, i) => (c.record ? { ...c, record: records[i] ?? c.record } : c));
    return { ...page, items };
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

  /** Bulk API 2.0 upserts as a delayed job of the engine: submit, then a look per poll (`bulk.ts`). */
  readonly bulkWrites: BulkWriteJobs = {
    submit: async (obj, writes) => {
      const field = writes[0]?.externalId?.field;
      if (!field || writes.some((w) => w.remoteId !== undefined || w.externalId?.field !== field)) {
        throw new CrmValidationError(
          'not one bulk upsert job: every write is an upsert by the same external id',
          {
            crm: this.api.crm,
          },
        );
      }
      return submitBulkUpsert(this.api, SALESFORCE_OBJECTS[obj], field, writes);
    },
    collect: (_obj, ref, writes) => collectBulkUpsert(this.api, ref, writes),
  };

  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]> {
    return deleteRecords(this.api, obj, remoteIds);
  }

  /** OpportunityContactRole rows (`link-writes.ts`). */
  linkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return linkRecords(this.api, from, to, pairs);
  }

  unlinkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]> {
    return unlinkRecords(this.api, from, to, pairs);
  }

  describeFields(obj: CrmObject): Promise<NativeField[]> {
    return describeFields(this.api, obj);
  }

  /** Salesforce is synced by polling: it sends no HMAC-signed webhooks (README "Salesforce", docs/sync.md). */
  verifyWebhook(_req: WebhookRequest): boolean {
    return false;
  }

  parseWebhook(_req: WebhookRequest): NativeChange[] {
    return [];
  }
}

export function createSalesforceConnector(ctx: ConnectorContext): CrmConnector {
  return new SalesforceConnector(ctx);
}
