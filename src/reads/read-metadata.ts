import { type CrmConnector, type CrmObject, type NativeField } from '../connectors/types';
import { fitToDescribeWithin } from '../mapping/mapper';
import { DEAL_STAGE_STATUS_TABLE, type MappingContext, type ObjectMapping } from '../mapping/types';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type DealStageInfo, dealStagesOf } from './deal-stages';
import { describedForReads, describedNow, rememberDescribed } from './described-fields';
import { type EffectiveMapping } from './mappings';
import { type ExtraFields } from './read-fields';

/**
 * What reads of one connection know for one request: its effective mappings, the CRM's field metadata
 * they are fitted to, the lookup tables they need, and the connectors that read with them. Each is
 * asked for once per request and only when used.
 */
export class ReadMetadata {
  private readonly memo = new Map<string, Promise<unknown>>();
  private built?: CrmConnector;
  /** The custom fields {@link connector} was built to read, per object. */
  private builtExtra: ExtraFields = {};
  private readonly fits = new Map<CrmObject, { described: NativeField[]; fit: EffectiveMapping }>();

  constructor(
    readonly connection: ConnectionView,
    /** A connector reading the stored mapping's fields plus `extra`. */
    private readonly buildConnector: (extra?: ExtraFields) => CrmConnector,
    private readonly mapped: Readonly<Record<CrmObject, EffectiveMapping>>,
  ) {}

  /**
   * This connection's connector for this request, built on first use. Metadata (describe, stages,
   * associations) goes through it, so fitting the mapping to the describe never needs the fitted
   * mapping. It reads the fields of the stored mapping plus the custom fields mapped by default of
   * every object whose describe this process already holds (`describedNow`): on a warm connection it
   * is the one connector of the request, since building one (a vendor client library's connection,
   * settings parse, budget gate, HTTP client) costs more than selecting a few fields nobody asks for.
   */
  get connector(): CrmConnector {
    if (!this.built) {
      const extra: ExtraFields = {};
      for (const object of ['contact', 'deal'] as const) {
        const described = describedNow(this.connection.id, object);
        if (described) extra[object] = this.added(object, this.fitted(object, described).mapping);
      }
      this.builtExtra = extra;
      this.built = this.buildConnector(extra);
    }
    return this.built;
  }

  /**
   * The connector that reads records of `object`: it selects every native field of
   * {@link mapping}(object), custom fields mapped by default included. The same connector as
   * {@link connector} whenever that one already reads them (a warm connection, or a default mapping
   * that adds nothing); another only when the describe arrived during this request.
   */
  reading(object: CrmObject): Promise<CrmConnector> {
    return this.once(`reading:${object}`, async () => {
      const added = this.added(object, (await this.mapping(object)).mapping);
      const connector = this.connector;
      const has = new Set(this.builtExtra[object] ?? []);
      return added.every((f) => has.has(f)) ? connector : this.buildConnector({ [object]: added });
    });
  }

  /** Native fields of `fit` the stored mapping of `object` does not read: custom fields mapped by default. */
  private added(object: CrmObject, fit: ObjectMapping): string[] {
    const stored = new Set(this.mapped[object].mapping.fields.map((e) => e.native));
    return fit.fields.flatMap((e) => (stored.has(e.native) ? [] : [e.native]));
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
      return this.fitted(object, described);
    });
  }

  /**
   * The stored effective mapping of `object` fitted to `described` (see {@link mapping}); the last fit
   * per object is kept, as {@link connector} and {@link mapping} usually fit the same describe.
   */
  private fitted(object: CrmObject, described: NativeField[]): EffectiveMapping {
    const last = this.fits.get(object);
    if (last?.described === described) return last.fit;
    const stored = this.mapped[object];
    const removed = new Set(stored.overrides.flatMap((o) => ('remove' in o ? [o.canonical] : [])));
    const fit = fitToDescribeWithin(stored.mapping, described, { removed, dropAbsentOptional: false });
    const effective = { ...stored, mapping: fit.mapping, skipped: fit.skipped };
    this.fits.set(object, { described, fit: effective });
    return effective;
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

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    let p = this.memo.get(key) as Promise<T> | undefined;
    if (!p) {
      p = load();
      this.memo.set(key, p);
    }
    return p;
  }
}
