import { isValidObjectId, Types } from 'mongoose';
import { NotFoundError } from '../../errors';
import { type EncryptedBlob, type KeyRing } from '../../security/credentials-cipher';
import { type CacheFeed, type StoreChange } from '../changes';
import { type ConnectionModel, type ConnectionStatus } from '../models/connection.model';
import { VersionedCache } from '../versioned-cache';

/** What the rest of the application sees of a connection: everything but the credentials. */
export interface ConnectionView {
  id: string;
  tenantId: string;
  crm: string;
  displayName: string;
  status: ConnectionStatus;
  statusReason: string | null;
  externalAccountId: string | null;
  vendorUrls: Record<string, string>;
  settings: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}

/** Vendor credentials: tokens, secrets, expiry. Shape is the connector's business. */
export type Credentials = Record<string, unknown>;

export interface NewConnection {
  tenantId: string;
  crm: string;
  displayName: string;
  credentials: Credentials;
  externalAccountId?: string | null;
  vendorUrls?: Record<string, string>;
  settings?: Record<string, unknown>;
}

/**
 * Connections and their credentials. Every write goes through here and is announced on the store's
 * change feed; given one, the repository also caches views and decrypted credentials by id for this
 * process (src/store/versioned-cache.ts), so a warm request reads neither from the store.
 */
export class ConnectionsRepository {
  private readonly cache?: {
    views: VersionedCache<ConnectionView | null>;
    credentials: VersionedCache<Credentials>;
  };

  constructor(
    private readonly connections: ConnectionModel,
    private readonly keyRing: KeyRing,
    private readonly changes?: CacheFeed,
  ) {
    if (!changes) return;
    this.cache = {
      views: new VersionedCache({ name: 'connections', feed: changes }),
      credentials: new VersionedCache({ name: 'credentials', feed: changes }),
    };
    changes.onChange((change) => this.apply(change));
  }

  async create(input: NewConnection): Promise<ConnectionView> {
    // The id is the AAD of the ciphertext, so it must exist before we encrypt.
    const _id = new Types.ObjectId();
    const doc = await this.connections.create({
      _id,
      tenantId: new Types.ObjectId(input.tenantId),
      crm: input.crm,
      displayName: input.displayName,
      credentials: this.keyRing.encryptJson(input.credentials, _id.toString()),
      externalAccountId: input.externalAccountId ?? null,
      vendorUrls: input.vendorUrls ?? {},
      settings: input.settings ?? {},
    });
    await this.changed(_id.toString());
    return toView(doc.toObject());
  }

  async listForTenant(tenantId: string): Promise<ConnectionView[]> {
    const docs = await this.connections
      .find({ tenantId: new Types.ObjectId(tenantId) })
      .sort({ createdAt: 1, _id: 1 })
      .lean();
    return docs.map(toView);
  }

  /**
   * Those of `ids` that are this tenant's connections, in no particular order, in one query by id (a
   * loader's batch). Ids of other tenants and malformed ids are simply absent.
   */
  async findManyForTenant(tenantId: string, ids: readonly string[]): Promise<ConnectionView[]> {
    const valid = ids.map(canonicalObjectId).filter((id): id is string => id !== null);
    if (valid.length === 0) return [];
    // Read by id alone and checked here, cached or not: a cached connection is never another tenant's.
    const readMissing = async (missing: readonly string[]): Promise<Map<string, ConnectionView>> => {
      const docs = await this.connections
        .find({ _id: { $in: missing.map((id) => new Types.ObjectId(id)) } })
        .lean();
      return new Map(docs.map((doc) => [doc._id.toString(), toView(doc)]));
    };
    const views = this.cache
      ? await this.cache.views.getMany(valid, readMissing, null)
      : [...(await readMissing(valid)).values()];
    return views.filter((v): v is ConnectionView => v !== null && v.tenantId === tenantId);
  }

  /** A connection of this tenant; another tenant's id is indistinguishable from an unknown one. */
  async getForTenant(tenantId: string, id: string): Promise<ConnectionView> {
    const view = await this.view(id);
    if (!view || view.tenantId !== tenantId)
      throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
    return view;
  }

  /** For background work that has only the connection id (workers, webhooks). */
  async getById(id: string): Promise<ConnectionView> {
    const view = await this.view(id);
    if (!view) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
    return view;
  }

  async deleteForTenant(tenantId: string, id: string): Promise<ConnectionView> {
    return (await this.deleteForTenantSealed(tenantId, id)).view;
  }

  /**
   * Deletes a connection of this tenant and hands back its credentials as they were stored, still
   * encrypted (their AAD is the connection id): what the revocation job carries to revoke the grant
   * once the document is gone. The version deleted is the version returned, so a token refresh racing
   * the delete cannot store a newer refresh token that nobody revokes. `sealedCredentials` is null when
   * another delete got there first.
   */
  async deleteForTenantSealed(
    tenantId: string,
    id: string,
  ): Promise<{ view: ConnectionView; sealedCredentials: EncryptedBlob | null }> {
    const view = await this.getForTenant(tenantId, id);
    const _id = new Types.ObjectId(view.id);
    let sealedCredentials: EncryptedBlob | null = null;
    // Delete only the version read (its IV is unique per write): if a refresh stored new credentials in
    // between, read again. A compare-and-delete rather than findOneAndDelete, which FerretDB refuses.
    for (let attempt = 0; attempt < 5; attempt++) {
      const doc = await this.connections.findById(_id, { credentials: 1 }).lean();
      if (!doc) break;
      const blob = doc.credentials as EncryptedBlob;
      const { deletedCount } = await this.connections.deleteOne({ _id, 'credentials.iv': blob.iv });
      if (deletedCount === 1) {
        sealedCredentials = blob;
        break;
      }
    }
    if (!sealedCredentials) await this.connections.deleteOne({ _id });
    // Drops the view, the decrypted credentials and the mappings in every process.
    await this.changed(view.id);
    return { view, sealedCredentials };
  }

  async setStatus(id: string, status: ConnectionStatus, reason: string | null = null): Promise<void> {
    await this.connections.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { status, statusReason: reason } },
    );
    await this.changed(id);
  }

  /**
   * A connection's decrypted credentials: from this process's cache unless `fresh` (a token refresh
   * deciding, under its lock, whether another process refreshed already must see the store itself).
   */
  async getCredentials(id: string, options: { fresh?: boolean } = {}): Promise<Credentials> {
    const read = async (): Promise<Credentials> => {
      const doc = isValidObjectId(id) ? await this.connections.findById(id, { credentials: 1 }).lean() : null;
      if (!doc) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
      return this.keyRing.decryptJson<Credentials>(doc.credentials as EncryptedBlob, id);
    };
    return this.cache ? this.cache.credentials.get(id, read, options) : read();
  }

  /**
   * Stores new credentials. This process's cache holds them before this returns (so a refresh's waiters
   * retry with the new token), and the others get the encrypted blob with the broadcast.
   */
  async setCredentials(id: string, credentials: Credentials): Promise<void> {
    const blob = this.keyRing.encryptJson(credentials, id);
    const res = await this.connections.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { credentials: blob } },
    );
    if (res.matchedCount === 0) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
    await this.changes?.publish({ kind: 'credentials', id, blob });
  }

  async update(
    id: string,
    patch: Partial<Pick<ConnectionView, 'displayName' | 'externalAccountId' | 'vendorUrls' | 'settings'>>,
  ): Promise<void> {
    await this.connections.updateOne({ _id: new Types.ObjectId(id) }, { $set: patch });
    await this.changed(id);
  }

  /**
   * Sets some settings keys, leaving the others as they are (a dotted `$set`): what a connector made for
   * itself (a notification channel's secret) never overwrites what an operator set meanwhile.
   */
  async mergeSettings(id: string, settings: Readonly<Record<string, string>>): Promise<void> {
    // Plain names only: a `.` or `$` would address another path of the document.
    const bad = Object.keys(settings).find((k) => !/^[A-Za-z][A-Za-z0-9_]{0,63}$/.test(k));
    if (bad !== undefined)
      throw new Error(`settings key ${JSON.stringify(bad.slice(0, 80))} is not a plain name`);
    const set = Object.fromEntries(Object.entries(settings).map(([k, v]) => [`settings.${k}`, v]));
    if (Object.keys(set).length === 0) return;
    await this.connections.updateOne({ _id: new Types.ObjectId(id) }, { $set: set });
    await this.changed(id);
  }

  /** Whether this process holds a connection's decrypted credentials (tests: dropped on delete). */
  holdsCredentials(id: string): boolean {
    return this.cache?.credentials.has(id) ?? false;
  }

  private async view(id: string): Promise<ConnectionView | null> {
    if (!isValidObjectId(id)) return null;
    const key = new Types.ObjectId(id).toString();
    const read = async (): Promise<ConnectionView | null> => {
      const doc = await this.connections.findById(key).lean();
      return doc ? toView(doc) : null;
    };
    return this.cache ? this.cache.views.get(key, read) : read();
  }

  /** Announces a change of the connection itself (what its view shows, or its existence). */
  private async changed(id: string): Promise<void> {
    await this.changes?.publish({ kind: 'connection', id });
  }

  private apply(change: StoreChange | null): void {
    const { views, credentials } = this.cache!;
    if (change === null) {
      views.clear();
      credentials.clear();
    } else if (change.kind === 'connection') {
      views.delete(change.id);
      credentials.delete(change.id);
    } else if (change.kind === 'credentials') {
      try {
        credentials.put(change.id, this.keyRing.decryptJson<Credentials>(change.blob, change.id));
      } catch {
        // Not decryptable here (a key this process lacks): read from the store when next needed.
        credentials.delete(change.id);
      }
    }
  }

  /**
   * Every connection of every tenant, oldest first: what the sync scheduler walks (a worker job; one
   * query, no cache).
   */
  async listAll(): Promise<ConnectionView[]> {
    const docs = await this.connections.find({}).sort({ _id: 1 }).lean();
    return docs.map(toView);
  }

  /**
   * Connections of every tenant that carry a vendor URL override (`auth` or `api`), at most `limit`:
   * what the start-up check holds against the current vendor URL policy (src/runtime/config-check.ts).
   */
  async listWithVendorUrls(limit: number): Promise<ConnectionView[]> {
    const docs = await this.connections
      .find({ $or: [{ 'vendorUrls.auth': { $exists: true } }, { 'vendorUrls.api': { $exists: true } }] })
      .sort({ _id: 1 })
      .limit(limit)
      .lean();
    return docs.map(toView);
  }

  /**
   * Re-encrypts every connection not yet under the current key (after a rotation). Decrypting with
   * the old key and writing with the new one is per document, so a crash midway is safe to rerun.
   * A record that fails to decrypt (tampered, or its key already dropped) is reported, not fatal:
   * one bad record must not keep every other one on the old key.
   */
  async reencryptAll(): Promise<{ scanned: number; reencrypted: number; failedIds: string[] }> {
    let scanned = 0;
    let reencrypted = 0;
    const failedIds: string[] = [];
    const cursor = this.connections.find({}, { credentials: 1 }).lean().cursor();
    for await (const doc of cursor) {
      scanned += 1;
      const blob = doc.credentials as EncryptedBlob;
      if (blob.kid === this.keyRing.currentKid) continue;
      const id = doc._id.toString();
      let plaintext: string;
      try {
        plaintext = this.keyRing.decrypt(blob, id);
      } catch {
        failedIds.push(id);
        continue;
      }
      // Only replace what we read: a concurrent credentials write wins over this rewrite.
      const res = await this.connections.updateOne(
        { _id: doc._id, 'credentials.iv': blob.iv },
        { $set: { credentials: this.keyRing.encrypt(plaintext, id) } },
      );
      reencrypted += res.modifiedCount;
    }
    return { scanned, reencrypted, failedIds };
  }
}

interface ConnectionLike {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  crm: string;
  displayName: string;
  status: string;
  statusReason?: string | null;
  externalAccountId?: string | null;
  vendorUrls?: Map<string, string> | Record<string, string> | null;
  settings?: unknown;
  createdAt: Date;
  updatedAt: Date;
}

/**
 * Views are frozen, settings included: a cached view is shared by every request of the process, so a
 * caller that changed one in place would change it for all of them (and for no other process). Writers
 * go through the repository, which drops the cached view everywhere.
 */
/** How `ObjectId#toString()` writes an id: the form the cache and the views key by. */
const CANONICAL_OBJECT_ID = /^[0-9a-f]{24}$/;

/**
 * `id` as `ObjectId#toString()` writes it, or null when it is no ObjectId. An id already in that form
 * (every id the API hands out) is returned as is: building an ObjectId to print it again was a
 * measurable part of a warm request's connection lookup.
 */
function canonicalObjectId(id: string): string | null {
  if (CANONICAL_OBJECT_ID.test(id)) return id;
  return isValidObjectId(id) ? new Types.ObjectId(id).toString() : null;
}

function toView(doc: ConnectionLike): ConnectionView {
  const urls =
    doc.vendorUrls instanceof Map ? Object.fromEntries(doc.vendorUrls) : { ...(doc.vendorUrls ?? {}) };
  return deepFreeze({
    id: doc._id.toString(),
    tenantId: doc.tenantId.toString(),
    crm: doc.crm,
    displayName: doc.displayName,
    status: doc.status as ConnectionStatus,
    statusReason: doc.statusReason ?? null,
    externalAccountId: doc.externalAccountId ?? null,
    vendorUrls: urls,
    settings: (doc.settings as Record<string, unknown> | undefined) ?? {},
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  });
}

function deepFreeze<T>(value: T): T {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return value;
  for (const v of Object.values(value)) deepFreeze(v);
  return Object.freeze(value);
}
