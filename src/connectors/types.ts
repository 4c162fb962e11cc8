import {
  type AuthKind,
  type BudgetDeclaration,
  type BulkWriteDeclaration,
  type CrmDeclaration,
} from '../config/crms';
import { type CrmKind } from './registry';
import { type CrmError } from '../errors';
import { type Logger } from '../logger';
import { type TokenAccess } from './http/http.types';
import { type VendorHttpClient } from './http/vendor-client';

export type { AccessToken, BudgetGate, CallPriority, TokenAccess } from './http/http.types';

/**
 * The contract between the application and each CRM. The rest of the code holds a {@link CrmConnector}
 * and never learns which vendor is behind it; connectors speak native field names and the mapping layer
 * (`src/mapping/`) translates.
 */

/** The canonical objects; each connector maps them to its own (Contact/Opportunity, contacts/deals…). */
/** The canonical objects, in the order lists of both name them. */
export const CRM_OBJECTS = ['contact', 'deal'] as const;
export type CrmObject = (typeof CRM_OBJECTS)[number];

/** A JSON value as a vendor sends it. Decimals stay strings where the vendor sends strings. */
export type NativeValue = string | number | boolean | null | NativeValue[] | { [key: string]: NativeValue };

export interface NativeRecord {
  remoteId: string;
  /** Native field name → value, exactly as the vendor returned it. */
  fields: Record<string, NativeValue>;
  /** ISO-8601 last-modified time as the vendor reports it. */
  updatedAt: string | null;
  /** Archived/soft-deleted in the CRM (only returned when the caller asked for deleted records). */
  isDeleted: boolean;
  /**
   * Native field paths the read asked for but the CRM refused (deleted, or hidden from the integration
   * user, after a mapping named them), each with the CRM's reason: the record was read without them,
   * and the mapping layer reports each as an issue instead of failing the read.
   */
  refusedFields?: Readonly<Record<string, string>>;
}

export interface NativeChange {
  /**
   * The object the changed record is of. A poll asks for one object, but one webhook delivery mixes
   * objects, so every change says which it concerns and sync routes each by it.
   */
  object: CrmObject;
  remoteId: string;
  kind: 'UPSERTED' | 'DELETED' | 'RESTORED';
  /** ISO-8601 time of the change as the vendor reports it. */
  occurredAt: string;
  /** The record after the change, when the vendor sent it (polls do, most webhooks do not). */
  record?: NativeRecord;
  /** Native names of the fields the vendor says changed, when it says. */
  changedFields?: string[];
  /**
   * A deletion the vendor made for a privacy request (GDPR): the record is gone for good and sync erases
   * what it kept of it (its snapshot and change history) before recording the deletion.
   */
  privacyErasure?: boolean;
  /**
   * The vendor's event id when there is one. Not unique on its own for every vendor (some reuse
   * one event id across subscriptions): dedupe on (eventId, remoteId, kind, occurredAt).
   */
  eventId?: string;
}

/** One page of a list. `nextCursor` is opaque to callers and `null` on the last page. */
export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  /**
   * Where the listing resumes right after each item (`itemCursors[i]` continues after `items[i]`), from
   * a connector whose paging can start after any record (keyset paging, an `after` cursor). With them,
   * every cursor the gateway hands out resumes exactly where its record was, whatever page size comes
   * next. Absent: the listing resumes only after a whole page, and the read layer re-reads that page
   * to skip what it already returned.
   */
  itemCursors?: string[];
}

export interface ListOptions {
  pageSize: number;
  cursor?: string | null;
  includeDeleted?: boolean;
  /**
   * Narrows the list at the vendor, in native field names (the read layer translates canonical names
   * through the connection's mapping). Sent only for what the connector's {@link ListFilterSupport}
   * declares. A connector may return MORE than the filter matches (a looser vendor rule, a part it
   * cannot express) but never fewer: the read layer applies the exact canonical filter on top.
   * A cursor continues the listing it came from; callers pass the same filter with it.
   */
  filter?: NativeListFilter;
}

/** Parts AND together; an absent part does not narrow. */
export interface NativeListFilter {
  /** Each field equals its value; text compares case-insensitively (a query language's `=`, a search API's EQ). */
  equals?: { field: string; value: string }[];
  /** At least one of the fields starts with its value, case-insensitively (the entries are OR'd). */
  prefix?: { field: string; value: string }[];
  /**
   * Modified at or after this instant by the vendor's own modification stamp, which is never earlier
   * than the time `NativeRecord.updatedAt` reports (a system stamp that also moves on automated changes).
   */
  modifiedSince?: Date;
}

/** What `ListFilterSupport.prefix: 'word'` takes: one word of letters and digits. */
export const WORD_PREFIX = /^[\p{L}\p{N}]+$/u;

/** Which {@link NativeListFilter} parts a connector can push down to its vendor. */
export interface ListFilterSupport {
  equals: boolean;
  /**
   * `'any'`: any text; `'word'`: only a value of letters and digits (a vendor that matches word tokens,
   * so a value with spaces or punctuation could miss records); `false`: none.
   */
  prefix: 'any' | 'word' | false;
  modifiedSince: boolean;
  /** Whether filters push down together with `includeDeleted` (a search API may never return archived records). */
  withDeleted: boolean;
}

export interface ChangesOptions {
  /** Changes strictly after this instant (callers subtract their overlap window first). */
  since: Date;
  cursor?: string | null;
  pageSize?: number;
  /**
   * For a feed that continues from a vendor position ({@link CrmConnector.startChanges}): where the
   * previous complete read ended ({@link ChangesPage.position}), or what `startChanges` returned. Such a
   * feed answers from here, whatever `since` says; without one it asks for a full reconcile.
   */
  position?: string | null;
}

/** A page of a change feed. */
export interface ChangesPage extends Page<NativeChange> {
  /**
   * On the last page of a feed that continues from a vendor position: where the next read continues
   * (pass it as {@link ChangesOptions.position}). Absent for feeds read by time alone.
   */
  position?: string | null;
}

/** Continues a whole-object export (backfill). */
export interface ExportOptions {
  /**
   * Where the export resumes, from the page before. It must still work after a worker restart, so it
   * names only what outlives one (a keyset position, a vendor-side job id and its result locator).
   */
  cursor?: string | null;
  /** A hint: the connector serves the vendor's best size for a full pull where it differs. */
  pageSize?: number;
}

/** One page of an export, with the export's size where the vendor can count it (backfill progress). */
export interface ExportPage extends Page<NativeRecord> {
  /** Records the whole export holds (soft-deleted ones excluded); null where the vendor cannot say. */
  total: number | null;
}

export interface RecordWrite {
  /** The caller's correlation key (e.g. write-operation id); results come back with it. */
  ref: string;
  /** Update this record; absent → create (or upsert by `externalId`). */
  remoteId?: string;
  /** Upsert by an external-id field, so that a retried create cannot duplicate the record. */
  externalId?: { field: string; value: string };
  /**
   * Set on a create keyed by the gateway key (`externalId` valued with the operation id) that was never
   * sent before: no record can hold that key yet. A connector without a native upsert, which must look
   * the key up before it writes, may create at once; a resend (an earlier claim may have reached the
   * CRM) never carries it, so it still looks first.
   */
  firstAttempt?: true;
  fields: Record<string, NativeValue>;
}

export type WriteResult =
  | {
      ref: string;
      ok: true;
      remoteId: string;
      created: boolean;
      /**
       * The record as the vendor stored it, where the write's answer carries it whole — as a read of
       * it by id would return it: the write engine then reads it back without a call.
       */
      record?: NativeRecord;
    }
  | { ref: string; ok: false; error: CrmError };

/**
 * One association to write between a record of the `from` object and one of the `to` object (a contact
 * and a deal). `ref` is the caller's correlation key (e.g. write-operation id); results come back with it.
 */
export interface LinkPair {
  ref: string;
  fromId: string;
  toId: string;
}

export type NativeFieldType =
  | 'id'
  | 'string'
  | 'text'
  | 'email'
  | 'phone'
  | 'url'
  | 'integer'
  | 'decimal'
  | 'currency'
  | 'percent'
  | 'boolean'
  | 'date'
  | 'datetime'
  | 'picklist'
  | 'multipicklist'
  | 'reference'
  | 'unknown';

/** Field metadata from the vendor's describe/properties API. */
export interface NativeField {
  name: string;
  label: string;
  type: NativeFieldType;
  /** Created by the customer (a `__c` suffix, a property that is not a default one…). */
  custom: boolean;
  required: boolean;
  readOnly: boolean;
  /**
   * The vendor refuses two records with the same value (a describe call's `unique`, a property's
   * `hasUniqueValue`): a value that can find a record again, which writes can upsert by.
   */
  unique: boolean;
  /**
   * The vendor's external-id flag (a describe call's `externalId`): an upsert can key on the field
   * (`RecordWrite.externalId`). A vendor without such a flag that keys upserts on a unique property
   * sets it equal to {@link unique}.
   */
  externalId: boolean;
  picklistValues?: { value: string; label: string }[];
  /** Object(s) a reference field points to. */
  referenceTo?: string[];
  /**
   * The name a read follows a reference field by, in a native field path (`Account` for
   * `AccountId`, as in `Account.Name`); absent where the vendor has no such paths.
   */
  relationshipName?: string;
}

/**
 * Native field paths that follow references (`Account.Owner.Email`), for a connector whose vendor
 * reads them. Mappings are checked hop by hop against it before they are stored.
 */
export interface RelationshipSupport {
  /** Most dot-separated segments a native field path may have, the field itself included. */
  readonly maxPathSegments: number;
  /** Field metadata of any object of the vendor, by its API name (a reference field's `referenceTo`). */
  describeObject(nativeObject: string): Promise<NativeField[]>;
}

/**
 * A vendor bulk write job as the connector submitted it: what the engine stores with the job's
 * operations and hands back to `collect`. Strings only (it is stored as is); `id` is the vendor's job id.
 */
export interface BulkJobRef {
  id: string;
  [part: string]: string;
}

/**
 * The vendor's asynchronous bulk write job, split so that nothing waits on it in a worker slot
 * (docs/writes.md "Bulk jobs"): `submit` starts it and returns at once; `collect` looks at it.
 */
export interface BulkWriteJobs {
  /**
   * Starts one job for `writes` (≤ `bulkWrite.maxRecords`, one shape: all updates by remote id, or all
   * upserts by the same external-id field). A refusal of the whole job is thrown, as a call's is.
   */
  submit(obj: CrmObject, writes: readonly RecordWrite[]): Promise<BulkJobRef>;
  /**
   * The job's results for `writes` — any of the submitted writes, matched by their key, not their
   * position — one per write in order; null while the job runs.
   */
  collect(obj: CrmObject, ref: BulkJobRef, writes: readonly RecordWrite[]): Promise<WriteResult[] | null>;
}

export interface ConnectorLimits {
  /** Most ids one `getRecords` call takes (DataLoader `maxBatchSize`). */
  readBatch: number;
  /** Most records one `upsertRecords`/`deleteRecords` call takes, and most pairs one `linkRecords`/`unlinkRecords` call takes. */
  writeBatch: number;
  budgets: readonly BudgetDeclaration[];
  /** The vendor's bulk write job, where the connector offers one (`CrmConnector.bulkWrites`). */
  bulkWrite?: BulkWriteDeclaration;
}

/** A connector's limits as its declaration states them: the declaration is their one source. */
export function limitsOf(
  declaration: Pick<CrmDeclaration, 'batch' | 'budgets' | 'bulkWrite'>,
): ConnectorLimits {
  return {
    readBatch: declaration.batch.read,
    writeBatch: declaration.batch.write,
    budgets: declaration.budgets,
    ...(declaration.bulkWrite ? { bulkWrite: declaration.bulkWrite } : {}),
  };
}

/** An inbound webhook as received, before parsing: signatures cover the raw bytes and the full URL. */
export interface WebhookRequest {
  method: string;
  /** The full public URL the vendor called (what it signed). */
  url: string;
  headers: Readonly<Record<string, string | undefined>>;
  rawBody: Buffer;
  receivedAt: Date;
}

export interface CrmConnector {
  readonly kind: CrmKind;
  readonly limits: ConnectorLimits;
  /** One bulk call for ≤ `readBatch` ids; one entry per id in order, `null` for a miss. */
  getRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<(NativeRecord | null)[]>;
  listRecords(obj: CrmObject, options: ListOptions): Promise<Page<NativeRecord>>;
  /**
   * Which list filters `listRecords` pushes down to the vendor. Absent: none, and every filter is
   * applied by the read layer after fetch.
   */
  readonly listFilters?: ListFilterSupport;
  /**
   * Records modified AND deleted since `options.since` — or, for a feed kept by vendor position, since
   * `options.position`. Since further back than the vendor keeps deletions (or from a position the
   * vendor no longer honours) it fails with `details.fullResyncRequired` (`changes-window.ts`).
   */
  listChanges(obj: CrmObject, options: ChangesOptions): Promise<ChangesPage>;
  /**
   * For a vendor whose change feed continues from a position it issues (a delta token) rather than
   * from a time: the position as of now, from which `listChanges` reports every later change,
   * deletions included. Sync takes one when it starts following an object and again after a full
   * reconcile, and keeps the position each complete read ends at. Absent: the feed is read by time.
   * A vendor may page through the whole object to issue one: `onPage` runs after each page (the caller
   * renews its lock there, or throws to stop).
   */
  startChanges?(obj: CrmObject, onPage?: () => Promise<void>): Promise<string>;
  /**
   * Every live record of `obj`, for a connection's first sync (backfill), in the vendor's cheapest form
   * for a full pull (a bulk export job above a size where it pays off). Optional: absent, backfill
   * pages {@link listRecords} and reports no total.
   */
  exportRecords?(obj: CrmObject, options: ExportOptions): Promise<ExportPage>;
  /** Associated remote ids of `to` for each of `remoteIds` of `from`, batched. */
  getAssociations(
    from: CrmObject,
    remoteIds: readonly string[],
    to: CrmObject,
  ): Promise<Map<string, string[]>>;
  /** One bulk call for ≤ `writeBatch` records; one result per write, in order. */
  upsertRecords(obj: CrmObject, writes: readonly RecordWrite[]): Promise<WriteResult[]>;
  /** The vendor's bulk write job, split into submit and collect; present with `limits.bulkWrite`. */
  readonly bulkWrites?: BulkWriteJobs;
  deleteRecords(obj: CrmObject, remoteIds: readonly string[]): Promise<WriteResult[]>;
  /**
   * Associates each pair (≤ `writeBatch` pairs): one result per pair, in order, `remoteId` the pair's
   * `fromId`, `created` false. Idempotent: a pair already linked is a success (the engine may resend).
   * A pair naming a record the CRM does not have fails alone with a NOT_FOUND error; the other pairs
   * of the call are still written.
   */
  linkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]>;
  /**
   * Removes each pair's association (≤ `writeBatch` pairs), results as {@link linkRecords}. Idempotent:
   * a pair that is not linked — a record that does not exist included — is a success.
   */
  unlinkRecords(from: CrmObject, to: CrmObject, pairs: readonly LinkPair[]): Promise<WriteResult[]>;
  describeFields(obj: CrmObject): Promise<NativeField[]>;
  /**
   * How native field paths follow references. Optional: absent, native field names are flat and a
   * dotted path is refused (flat properties).
   */
  readonly relationships?: RelationshipSupport;
  /** Checks the vendor's signature (and its timestamp window). Connectors without webhooks return false. */
  verifyWebhook(req: WebhookRequest): boolean;
  parseWebhook(req: WebhookRequest): NativeChange[];
  /**
   * Deal stages from the CRM's own pipeline API, with won/lost from its metadata. Optional: a CRM
   * without one has its stages read from the picklist of the field mapped to `stage`.
   */
  dealStages?(): Promise<NativeDealStage[]>;
  /**
   * Asks the vendor which account (and app) the connection's credentials belong to. The framework calls
   * it once when a connection is made (`connectors/identify.ts`: createConnection, the OAuth callback)
   * and stores the answer as `externalAccountId` and `settings.appId`, which budgets are scoped by and
   * webhooks are routed by. Optional: a CRM whose token response already names the account
   * (an identity URL) needs none.
   */
  identify?(authKind: AuthKind): Promise<AccountIdentity>;
  /**
   * For a vendor whose webhooks are channels an API call subscribes and which lapse (a watch channel
   * with an expiry): subscribes the connection's channel to `request.callbackUrl`, or renews the one
   * `request.current` names, and says until when it delivers. The framework calls it when a connection
   * is made and again before each expiry (`sync/notifications/`), and keeps what it answers. Idempotent:
   * a channel the vendor no longer has is subscribed anew. Absent: the vendor's webhooks are configured
   * once, outside the API (an app setting), or there are none.
   */
  ensureNotifications?(request: NotificationsRequest): Promise<NotificationChannel>;
}

/** What the framework asks of {@link CrmConnector.ensureNotifications}. */
export interface NotificationsRequest {
  /** Where the vendor is to deliver: PUBLIC_URL and the CRM's webhook route. */
  callbackUrl: string;
  /** The channel as the last successful call left it; null before the first (or after it was lost). */
  current: NotificationChannel | null;
  /** The framework's clock: an expiry is asked for relative to it. */
  now: Date;
}

/** A subscribed notification channel, as {@link CrmConnector.ensureNotifications} answers it. */
export interface NotificationChannel {
  /** The channel's id at the vendor (ours where the vendor lets the subscriber choose it). */
  channelId: string;
  /** When the vendor stops delivering unless the channel is renewed. */
  expiresAt: Date;
  /**
   * Connection settings to keep from now on, merged into the stored ones — a verification secret the
   * connector made for the channel, which its `verifyWebhook` reads back. Absent: nothing to keep.
   */
  settings?: Readonly<Record<string, string>>;
}

/** Which vendor account (and app) a connection's credentials belong to. */
export interface AccountIdentity {
  /** The vendor's id of the account (an org id, a portal id). */
  accountId: string;
  /** The vendor's app the credentials were issued to, where the vendor says (an OAuth `app_id`). */
  appId: string | null;
}

/** A deal stage as a CRM's pipeline API describes it. */
export interface NativeDealStage {
  pipelineId: string;
  pipelineLabel: string;
  stageId: string;
  label: string;
  /** 0–1 where the CRM says. */
  probability: number | null;
  status: 'OPEN' | 'WON' | 'LOST';
}

// ---------------------------------------------------------------------------------------------------
// What a connector is given.

/** The part of a stored connection a connector needs (never its encrypted credentials). */
export interface ConnectionInfo {
  id: string;
  tenantId: string;
  crm: CrmKind;
  /** Vendor account id (an org id, a portal id), once known. */
  externalAccountId: string | null;
  /** Per-connection vendor URL overrides, already checked by the SSRF guard. */
  vendorUrls: Readonly<Record<string, string>>;
  settings: Readonly<Record<string, unknown>>;
}

export interface ConnectorContext {
  connection: ConnectionInfo;
  /** Shared HTTP client of this connection (auth, budget gate, retries, error typing built in). */
  http: VendorHttpClient;
  tokens: TokenAccess;
  logger: Logger;
  /** Fields the framework asks this connector to read; absent, it reads its own and its settings' only. */
  readFields?: ReadFields;
  /**
   * Objects whose records this request reads for identity alone (remote id, deletion state,
   * associations; `graphql/records/record-selection.ts`): a connector may select only the fields its
   * records' identity and change tracking need for them. One that ignores this reads them in full.
   */
  identityOnly?: readonly CrmObject[];
}

export type ConnectorFactory = (ctx: ConnectorContext) => CrmConnector;

// ---------------------------------------------------------------------------------------------------
// What the framework asks of a read.

/**
 * Native fields (paths where the vendor has them) a connector must read per object besides the ones it
 * reads on its own and those its connection settings list: the native fields of the connection's
 * mapping that the connector cannot know of (overrides, custom fields found in `describeFields`), so
 * a newly mapped field is read without touching the settings. The read path passes them in
 * {@link ConnectorContext.readFields}; a connector whose API reads every field may ignore them.
 * Each was checked against the vendor's field metadata before it was mapped.
 */
export type ReadFields = Readonly<Partial<Record<CrmObject, readonly string[]>>>;
