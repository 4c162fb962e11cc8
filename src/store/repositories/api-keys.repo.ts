import { isValidObjectId, Types } from 'mongoose';
import { NotFoundError } from '../../errors';
import { type ApiKeyScope, generateApiKey, hashApiKey, looksLikeApiKey } from '../../security/api-keys';
import { type ApiKeyModel } from '../models/api-key.model';

export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  name: string;
  prefix: string;
  scope: ApiKeyScope;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface AuthenticatedKey {
  keyId: string;
  tenantId: string;
  scope: ApiKeyScope;
}

export class ApiKeysRepository {
  constructor(private readonly keys: ApiKeyModel) {}

  /** Creates a key and returns it in full: the only time the key itself exists outside the caller. */
  async create(
    tenantId: string,
    name: string,
    scope: ApiKeyScope,
  ): Promise<{ key: string; info: ApiKeyInfo }> {
    const generated = generateApiKey();
    const doc = await this.keys.create({
      tenantId: new Types.ObjectId(tenantId),
      name,
      scope,
      hash: generated.hash,
      prefix: generated.prefix,
    });
    return { key: generated.key, info: toInfo(doc) };
  }

  async listForTenant(tenantId: string): Promise<ApiKeyInfo[]> {
    const docs = await this.keys
      .find({ tenantId: new Types.ObjectId(tenantId) })
      .sort({ createdAt: 1 })
      .lean();
    return docs.map(toInfo);
  }

  /** Revokes by id or by display prefix. Idempotent: revoking twice keeps the first date. */
  async revoke(idOrPrefix: string): Promise<ApiKeyInfo> {
    const filter = isValidObjectId(idOrPrefix)
      ? { _id: new Types.ObjectId(idOrPrefix) }
      : { prefix: idOrPrefix };
    await this.keys.updateOne({ ...filter, revokedAt: null }, { $set: { revokedAt: new Date() } });
    const doc = await this.keys.findOne(filter).lean();
    if (!doc) throw new NotFoundError(`no API key with id or prefix ${JSON.stringify(idOrPrefix)}`);
    return toInfo(doc);
  }

  /** The tenant and scope of a presented key, or null when it is unknown, malformed or revoked. */
  async authenticate(presented: string): Promise<AuthenticatedKey | null> {
    if (!looksLikeApiKey(presented)) return null;
    const doc = await this.keys.findOne({ hash: hashApiKey(presented), revokedAt: null }).lean();
    if (!doc) return null;
    return { keyId: doc._id.toString(), tenantId: doc.tenantId.toString(), scope: doc.scope as ApiKeyScope };
  }
}

function toInfo(doc: {
  _id: Types.ObjectId;
  tenantId: Types.ObjectId;
  name: string;
  prefix: string;
  scope: string;
  createdAt: Date;
  revokedAt?: Date | null;
}): ApiKeyInfo {
  return {
    id: doc._id.toString(),
    tenantId: doc.tenantId.toString(),
    name: doc.name,
    prefix: doc.prefix,
    scope: doc.scope as ApiKeyScope,
    createdAt: doc.createdAt,
    revokedAt: doc.revokedAt ?? null,
  };
}
