import { Types } from 'mongoose';
import { type CrmObject } from '../../connectors/types';
import { BadUserInputError } from '../../errors';
import { type FieldMappingOverride } from '../../mapping/mapper';
import { parseOverrides } from '../../mapping/schema';
import { type CacheFeed, type StoreChange } from '../changes';
import { type FieldMappingModel } from '../models/field-mapping.model';
import { VersionedCache } from '../versioned-cache';

/** A connection's stored overrides for one object, each parsed again as it is read back. */
export interface StoredFieldMapping {
  overrides: FieldMappingOverride[];
  version: number;
  /**
   * Stored overrides that no longer pass validation (stored before a rule was added), each with why:
   * left out of `overrides` so they cannot break reads, and fixed by the next `replace`.
   */
  ignored: string[];
}

/**
 * Per-connection overrides of the default field mapping (`FieldMapping`). The store knows no defaults:
 * the read module applies these to its CRM's default mapping (`reads/mappings.ts`). Given the store's
 * change feed, what it read is cached per (connection, object) in this process; a `replace` drops it
 * here before it returns (a request never sees a mapping older than the last acknowledged update in
 * the same process) and everywhere else when the broadcast arrives, as does any change of the connection.
 */
export class FieldMappingsRepository {
  private readonly cache?: VersionedCache<StoredFieldMapping | null>;

  constructor(
    private readonly mappings: FieldMappingModel,
    private readonly changes?: CacheFeed,
  ) {
    if (!changes) return;
    this.cache = new VersionedCache({ name: 'mappings', feed: changes });
    changes.onChange((change) => this.apply(change));
  }

  /** The overrides of (connection, object); null while the connection uses the defaults unchanged. */
  async find(connectionId: string, object: CrmObject): Promise<StoredFieldMapping | null> {
    const read = async (): Promise<StoredFieldMapping | null> => {
      const doc = await this.mappings
        .findOne({ connectionId: new Types.ObjectId(connectionId), object })
        .lean();
      if (!doc) return null;
      return { ...parseStoredOverrides(doc.overrides), version: doc.version };
    };
    return this.cache ? this.cache.get(cacheKey(connectionId, object), read) : read();
  }

  /** Replaces the overrides (already validated) and bumps the version. */
  async replace(
    tenantId: string,
    connectionId: string,
    object: CrmObject,
    overrides: readonly FieldMappingOverride[],
  ): Promise<void> {
    // The unique (connection, object) index exists from `openStore` on, so two concurrent first updates
    // cannot create two documents.
    await this.mappings.updateOne(
      { connectionId: new Types.ObjectId(connectionId), object },
      {
        $set: { overrides: [...overrides] },
        $setOnInsert: { tenantId: new Types.ObjectId(tenantId) },
        $inc: { version: 1 },
      },
      { upsert: true },
    );
    await this.changes?.publish({ kind: 'mapping', id: connectionId });
  }

  private apply(change: StoreChange | null): void {
    if (change === null) this.cache!.clear();
    else if (change.kind === 'mapping' || change.kind === 'connection') {
      const prefix = cacheKey(change.id, '');
      this.cache!.deleteWhere((key) => key.startsWith(prefix));
    }
  }
}

function cacheKey(connectionId: string, object: string): string {
  return `${connectionId}/${object}`;
}

/** Stored overrides, each parsed on its own: one that fails today's rules is left out, not fatal. */
function parseStoredOverrides(stored: unknown[]): Omit<StoredFieldMapping, 'version'> {
  const overrides: FieldMappingOverride[] = [];
  const ignored: string[] = [];
  stored.forEach((entry, i) => {
    try {
      overrides.push(...parseOverrides([entry]));
    } catch (err) {
      if (!(err instanceof BadUserInputError)) throw err;
      ignored.push(
        `stored override ${i} is ignored: ${err.message.replaceAll('overrides.0', `overrides.${i}`)}`,
      );
    }
  });
  return { overrides, ignored };
}
