import DataLoader from 'dataloader';
import { type CrmObject, type NativeRecord } from '../connectors/types';
import { NotFoundError } from '../errors';
import { type CanonicalRecord, LazyCanonicalRecord } from './canonical';
import { type ReadMetadata } from './read-metadata';

/**
 * One connection's DataLoaders for one request: records by remote id and associations, each keyed per
 * object (or object pair) with the connector's `readBatch` as `maxBatchSize`, so N lookups become
 * ⌈N / readBatch⌉ vendor calls, and nested associations batch the same way (association loader, then
 * record loader).
 */
export class RecordLoaders {
  private readonly recordLoaders = new Map<CrmObject, DataLoader<string, CanonicalRecord>>();
  private readonly associationLoaders = new Map<string, DataLoader<string, string[]>>();

  constructor(
    private readonly metadata: ReadMetadata,
    private readonly batching: boolean,
  ) {}

  /** Records of `object` by remote id; a miss is a NotFoundError for that key only. */
  records(object: CrmObject): DataLoader<string, CanonicalRecord> {
    let loader = this.recordLoaders.get(object);
    if (!loader) {
      const { metadata } = this;
      const connectionId = metadata.connection.id;
      loader = new DataLoader<string, CanonicalRecord>(async (ids) => {
        const [natives, { mapping }, ctx] = await Promise.all([
          metadata.reading(object).then((c) => c.getRecords(object, ids)),
          metadata.mapping(object),
          metadata.mappingContext(object),
        ]);
        return ids.map((id, i) => {
          const native = natives[i];
          return native
            ? new LazyCanonicalRecord(connectionId, object, mapping, native, ctx)
            : new NotFoundError(
                `no ${object} with remote id ${JSON.stringify(id)} in connection ${connectionId}`,
              );
        });
      }, this.loaderOptions());
      this.recordLoaders.set(object, loader);
    }
    return loader;
  }

  /** A native record of `object` the caller already holds (a write's answer), canonical as a loaded one. */
  async canonical(object: CrmObject, native: NativeRecord): Promise<CanonicalRecord> {
    const [{ mapping }, ctx] = await Promise.all([
      this.metadata.mapping(object),
      this.metadata.mappingContext(object),
    ]);
    return new LazyCanonicalRecord(this.metadata.connection.id, object, mapping, native, ctx);
  }

  /** Remote ids of `to` associated with each remote id of `from` (empty when none). */
  associations(from: CrmObject, to: CrmObject): DataLoader<string, string[]> {
    const key = `${from}>${to}`;
    let loader = this.associationLoaders.get(key);
    if (!loader) {
      loader = new DataLoader<string, string[]>(async (ids) => {
        const found = await this.metadata.connector.getAssociations(from, ids, to);
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

  /** Puts listed records into the record loader, so nested lookups of them make no vendor call. */
  prime(record: CanonicalRecord): void {
    if (this.batching) this.records(record.object).prime(record.remoteId, record);
  }

  private loaderOptions<V>(): DataLoader.Options<string, V> {
    return this.batching
      ? { maxBatchSize: this.metadata.connector.limits.readBatch }
      : { batch: false, cache: false };
  }
}
