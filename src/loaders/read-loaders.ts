import DataLoader from 'dataloader';
import { type OperationDeadline } from '../connectors/http/deadline';
import { type CallPriority } from '../connectors/http/http.types';
import { type CrmConnector, type CrmObject, type NativeField } from '../connectors/types';
import { CrmNeedsReauthError, ForbiddenError, NotFoundError } from '../errors';
import { fitToDescribeWithin } from '../mapping/mapper';
import { DEAL_STAGE_STATUS_TABLE, type MappingContext } from '../mapping/types';
import { type CrmServices } from '../runtime/crm-services';
import { type CanonicalRecord, toCanonicalRecord } from '../reads/canonical';
import { type DealStageInfo, dealStagesOf } from '../reads/deal-stages';
import { describedForReads, rememberDescribed } from '../reads/described-fields';
import { type EffectiveMapping, type MappingSource } from '../reads/mappings';
import { type ConnectionView } from '../store/repositories/connections.repo';

/**
 * Per-request loaders of the read path. Resolvers never call a connector: they ask a
 * {@link ConnectionReader} for a loader keyed by (connection, object), whose `maxBatchSize` is the
 * connector's `readBatch`, so N lookups in one request become ⌈N / readBatch⌉ vendor calls, and
 * nested associations batch the same way (association loader, then record loader). Everything here
 * lives for one request: a cached record never reaches another request or another tenant.
 */

export interface ReadOptions {
  /** @defaultValue the process's `app.crm` (tokens, budgets and SSRF policy of the gateway) */
  connectors?: ConnectorSource;
  /**
   * Batch and cache lookups. Off only to measure what DataLoader saves (`bench:reads`): every load is
   * then its own vendor call.
   * @defaultValue true
   */
  batching?: boolean;
}

export type { MappingSource };

export interface ReadLoaderDeps {
  /** The caller's tenant-scoped connection loader: another tenant's id is NOT_FOUND. */
  connection: DataLoader<string, ConnectionView>;
  connectors: ConnectorSource;
  mappings: MappingSource;
  /** See {@link ReadOptions.batching}. @defaultValue true */
  batching?: boolean;
  /** The operation's deadline, handed to every connector built here (their vendor calls abort at it). */
  deadline?: OperationDeadline;
}

export interface ReadLoaders {
  /** The reader of one of the caller's connections; rejects with NOT_FOUND, NEEDS_REAUTH or FORBIDDEN. */
  reader(connectionId: string): Promise<ConnectionReader>;
}

/** Where connectors of stored connections come from: `app.crm` in a gateway. */
export type ConnectorSource = Pick<CrmServices, 'connectorFor'>;

export function createReadLoaders(deps: ReadLoaderDeps): ReadLoaders {
  const readers = new Map<string, Promise<ConnectionReader>>();
  return {
    reader(connectionId) {
      let reader = readers.get(connectionId);
      if (!reader) {
        reader = deps.connection.load(connectionId).then(async (connection) => {
          assertReadable(connection);
          const [contact, deal] = await Promise.all(
            (['contact', 'deal'] as const).map((o) =>
              deps.mappings.effective(connection.crm, connection.id, o),
            ),
          );
          const mapped = { contact: contact!, deal: deal! };
          // Built on first use: a request that only reads the store (mappings) never pays for it.
          const connector = (extra: ExtraFields = {}): CrmConnector =>
            deps.connectors.connectorFor(
              withMappedFields(connection, mapped, extra),
              'interactive' satisfies CallPriority,
              { deadline: deps.deadline },
            );
          return new ConnectionReader(connection, connector, mapped, deps.batching ?? true);
        });
        readers.set(connectionId, reader);
      }
      return reader;
    },
  };
}

/** Native fields a connector should read beyond the settings and the overrides, per object. */
type ExtraFields = Partial<Record<CrmObject, readonly string[]>>;

/**
 * The connection as its connector should see it: `settings.fields` (the extra native fields a
 * connector reads per object, where its API has no "all fields") also lists every native field the
 * connection's overrides map, so a newly mapped custom field is read without touching the settings,
 * and `extra` (the custom fields mapped by default, found in `describeFields`).
 * Overrides were checked against `describeFields` when stored, so the fields exist.
 */
function withMappedFields(
  connection: ConnectionView,
  mapped: Readonly<Record<CrmObject, EffectiveMapping>>,
  extraFields: ExtraFields,
): ConnectionView {
  const configured = (connection.settings.fields ?? {}) as Partial<Record<CrmObject, string[]>>;
  const extra = (object: CrmObject): string[] => {
    const natives = mapped[object].overrides.flatMap((o) => ('remove' in o ? [] : [o.native]));
    return [...new Set([...(configured[object] ?? []), ...natives, ...(extraFields[object] ?? [])])];
  };
  const adds = (object: CrmObject): boolean =>
    mapped[object].overrides.length > 0 || (extraFields[object]?.length ?? 0) > 0;
  if (!adds('contact') && !adds('deal')) return connection;
  return {
    ...connection,
    settings: { ...connection.settings, fields: { contact: extra('contact'), deal: extra('deal') } },
  };
}

function assertReadable(connection: ConnectionView): void {
  if (connection.status === 'NEEDS_REAUTH') {
    throw new CrmNeedsReauthError(
      `connection ${connection.id} (${connection.crm}) needs to be authorized again before it can be read` +
        (connection.statusReason ? `: ${connection.statusReason}` : ''),
      { crm: connection.crm },
    );
  }
  if (connection.status === 'DISABLED') {
    throw new ForbiddenError(`connection ${connection.id} is DISABLED by an operator and cannot be read`);
  }
}

/** One connection's loaders and metadata for one request. */
export class ConnectionReader {
  private readonly recordLoaders = new Map<CrmObject, DataLoader<string, CanonicalRecord>>();
  private readonly associationLoaders = new Map<string, DataLoader<string, string[]>>();
  private readonly memo = new Map<string, Promise<unknown>>();
  private built?: CrmConnector;

  constructor(
    readonly connection: ConnectionView,
    /** A connector reading the stored mapping's fields plus `extra`. */
    private readonly buildConnector: (extra?: ExtraFields) => CrmConnector,
    private readonly mapped: Readonly<Record<CrmObject, EffectiveMapping>>,
    private readonly batching: boolean,
  ) {}

  /**
   * This connection's connector for this request, built on first use. It reads the fields of the
   * stored mapping only: records are read through {@link reading}, which adds the custom fields
   * mapped by default. Metadata (describe, stages, associations) goes through this one, so fitting the
   * mapping to the describe never needs the fitted mapping.
   */
  get connector(): CrmConnector {
    this.built ??= this.buildConnector();
    return this.built;
  }

  /**
   * The connector that reads records of `object`: it selects every native field of
   * {@link mapping}(object), custom fields mapped by default included. The same connector as
   * {@link connector} when the default mapping adds nothing.
   */
  reading(object: CrmObject): Promise<CrmConnector> {
    return this.once(`reading:${object}`, async () => {
      const { mapping } = await this.mapping(object);
      const stored = new Set(this.mapped[object].mapping.fields.map((e) => e.native));
      const added = mapping.fields.flatMap((e) => (stored.has(e.native) ? [] : [e.native]));
      return added.length === 0 ? this.connector : this.buildConnector({ [object]: added });
    });
  }

  /** Records of `object` by remote id; a miss is a NotFoundError for that key only. */
  records(object: CrmObject): DataLoader<string, CanonicalRecord> {
    let loader = this.recordLoaders.get(object);
    if (!loader) {
      loader = new DataLoader<string, CanonicalRecord>(async (ids) => {
        const [natives, mapping, ctx] = await Promise.all([
          this.reading(object).then((c) => c.getRecords(object, ids)),
          this.mapping(object),
          this.mappingContext(object),
        ]);
        return ids.map((id, i) => {
          const native = natives[i];
          return native
            ? this.toRecord(object, mapping, native, ctx)
            : new NotFoundError(
                `no ${object} with remote id ${JSON.stringify(id)} in connection ${this.connection.id}`,
              );
        });
      }, this.loaderOptions());
      this.recordLoaders.set(object, loader);
    }
    return loader;
  }

  /** Remote ids of `to` associated with each remote id of `from` (empty when none). */
  associations(from: CrmObject, to: CrmObject): DataLoader<string, string[]> {
    const key = `${from}>${to}`;
    let loader = this.associationLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, string[]>(async (ids) => {
        const found = await this.connector.getAssociations(from, ids, to);
        return ids.map((id) => found.get(id) ?? []);
      }, this.loaderOptions());
      this.associationLoaders.set(key, loader);
    }
    return loader;
  }

  /** The records of `to` associated with one record; dangling associations are skipped. */
  async associated(from: CrmObject, remoteId: string, to: CrmObject): Promise<CanonicalRecord[]> {
    const ids = await this.associations(from, to).load(remoteId);
    const results = await this.records(to).loadMany(ids);
    const out: CanonicalRecord[] = [];
    for (const r of results) {
      if (!(r instanceof Error)) out.push(r);
      // An association to a record deleted meanwhile reads as no association; anything else is a failure.
      else if (!(r instanceof NotFoundError)) throw r;
    }
    return out;
  }

  /**
   * The stored effective mapping alone, loaded with the connection: what needs no field metadata (a
   * list's filter pushdown and cursor binding — custom fields mapped by default never feed a filter).
   */
  storedMapping(object: CrmObject): EffectiveMapping {
    return this.mapped[object];
  }

  /**
   * The stored effective mapping (loaded once per request, with the connection) fitted to the CRM's
   * field metadata: every custom field `describeFields` lists that no entry maps yet reads as
   * `customFields.<name>`, up to `MAX_AUTO_CUSTOM_FIELDS` per object (the rest are in `skipped`).
   * An override wins: one that maps the field, uses its canonical name or removes it. The describe is
   * kept per connection (`described-fields.ts`), so this costs a vendor call only when that is cold;
   * a describe that fails falls back to the stored mapping rather than failing a read that can do
   * without the custom fields.
   */
  mapping(object: CrmObject): Promise<EffectiveMapping> {
    return this.once(`mapping:${object}`, async () => {
      const stored = this.mapped[object];
      let described: NativeField[];
      try {
        described = await describedForReads(this.connection.id, object, () => this.describe(object));
      } catch (err) {
        if (!(err instanceof Error)) throw err;
        return stored;
      }
      const removed = new Set(stored.overrides.flatMap((o) => ('remove' in o ? [o.canonical] : [])));
      const fit = fitToDescribeWithin(stored.mapping, described, { removed, dropAbsentOptional: false });
      return { ...stored, mapping: fit.mapping, skipped: fit.skipped };
    });
  }

  /** Lookup tables the mapping of `object` needs, fetched once per request and only when used. */
  async mappingContext(object: CrmObject): Promise<MappingContext> {
    const { mapping } = await this.mapping(object);
    const tables = new Set(
      mapping.fields.flatMap((f) => (f.transform.kind === 'lookup' ? [f.transform.table] : [])),
    );
    if (!tables.has(DEAL_STAGE_STATUS_TABLE)) return {};
    const stages = await this.dealStages();
    const table = new Map<string, string>();
    for (const s of stages) if (s.status) table.set(s.id, s.status);
    return { lookups: { [DEAL_STAGE_STATUS_TABLE]: table } };
  }

  dealStages(): Promise<DealStageInfo[]> {
    return this.once('dealStages', () => dealStagesOf(this.connector, this));
  }

  /** The CRM's field metadata, asked once per request (fresh: mapping editors see a new field at once). */
  describe(object: CrmObject): Promise<NativeField[]> {
    return this.once(`describe:${object}`, () =>
      rememberDescribed(this.connection.id, object, this.connector.describeFields(object)),
    );
  }

  /** Puts listed records into the record loader, so nested lookups of them make no vendor call. */
  prime(record: CanonicalRecord): void {
    if (this.batching) this.records(record.object).prime(record.remoteId, record);
  }

  toRecord(
    object: CrmObject,
    mapping: EffectiveMapping,
    native: Parameters<typeof toCanonicalRecord>[3],
    ctx: MappingContext,
  ): CanonicalRecord {
    return toCanonicalRecord(this.connection.id, object, mapping.mapping, native, ctx);
  }

  private loaderOptions<V>(): DataLoader.Options<string, V> {
    return this.batching ? { maxBatchSize: this.connector.limits.readBatch } : { batch: false, cache: false };
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.memo.set(key, p);
    }
    return p;
  }
}
