import { isValidObjectId, Types } from 'mongoose';
import { NotFoundError } from '../../errors';
import { type EncryptedBlob, type KeyRing } from '../../security/credentials-cipher';
import { type ConnectionModel, type ConnectionStatus } from '../models/connection.model';

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

export class ConnectionsRepository {
  constructor(
    private readonly connections: ConnectionModel,
    private readonly keyRing: KeyRing,
  ) {}

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
    const valid = ids.filter((id) => isValidObjectId(id)).map((id) => new Types.ObjectId(id));
    if (valid.length === 0) return [];
    const docs = await this.connections
      .find({ _id: { $in: valid }, tenantId: new Types.ObjectId(tenantId) })
      .lean();
    return docs.map(toView);
  }

  /** A connection of this tenant; another tenant's id is indistinguishable from an unknown one. */
  async getForTenant(tenantId: string, id: string): Promise<ConnectionView> {
    const doc = isValidObjectId(id)
      ? await this.connections
          .findOne({ _id: new Types.ObjectId(id), tenantId: new Types.ObjectId(tenantId) })
          .lean()
      : null;
    if (!doc) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
    return toView(doc);
  }

  /** For background work that has only the connection id (workers, webhooks). */
  async getById(id: string): Promise<ConnectionView> {
    const doc = isValidObjectId(id) ? await this.connections.findById(id).lean() : null;
    if (!doc) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
    return toView(doc);
  }

  async deleteForTenant(tenantId: string, id: string): Promise<ConnectionView> {
    const view = await this.getForTenant(tenantId, id);
    await this.connections.deleteOne({ _id: new Types.ObjectId(view.id) });
    return view;
  }

  async setStatus(id: string, status: ConnectionStatus, reason: string | null = null): Promise<void> {
    await this.connections.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { status, statusReason: reason } },
    );
  }

  async getCredentials(id: string): Promise<Credentials> {
    const doc = isValidObjectId(id) ? await this.connections.findById(id, { credentials: 1 }).lean() : null;
    if (!doc) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
    return this.keyRing.decryptJson<Credentials>(doc.credentials as EncryptedBlob, id);
  }

  async setCredentials(id: string, credentials: Credentials): Promise<void> {
    const res = await this.connections.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { credentials: this.keyRing.encryptJson(credentials, id) } },
    );
    if (res.matchedCount === 0) throw new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
  }

  async update(
    id: string,
    patch: Partial<Pick<ConnectionView, 'displayName' | 'externalAccountId' | 'vendorUrls' | 'settings'>>,
  ): Promise<void> {
    await this.connections.updateOne({ _id: new Types.ObjectId(id) }, { $set: patch });
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

function toView(doc: ConnectionLike): ConnectionView {
  const urls =
    doc.vendorUrls instanceof Map ? Object.fromEntries(doc.vendorUrls) : { ...(doc.vendorUrls ?? {}) };
  return {
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
  };
}
