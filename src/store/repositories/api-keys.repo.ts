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
  /** Last successful authentication, to the minute ({@link LAST_USED_RESOLUTION_MS}); null if never. */
  lastUsedAt: Date | null;
}

/**
 * How stale `lastUsedAt` may get before an authentication writes it again. Authentication runs on
 * every request; writing on each would turn every read into a write. Minute resolution is what an
 * operator needs to tell a key in use from a forgotten one before revoking it.
 */
export const LAST_USED_RESOLUTION_MS = 60_000;

export interface AuthenticatedKey {
  keyId: string;
  tenantId: string;
  scope: ApiKeyScope;
}

export class ApiKeysRepository {
  constructor(
    private readonly keys: ApiKeyModel,
    /** @defaultValue the system clock; tests pass their own. */
    private readonly now: () => Date = () => new Date(),
  ) {}

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
    await this.touch(doc._id, doc.lastUsedAt ?? null);
    return { keyId: doc._id.toString(), tenantId: doc.tenantId.toString(), scope: doc.scope as ApiKeyScope };
  }

  /**
   * Records a use at most once per {@link LAST_USED_RESOLUTION_MS}: the document just read says whether
   * it is stale, so most requests write nothing. The filter repeats the staleness test, so concurrent
   * requests (or gateways) that all saw a stale value still write once.
   */
  private async touch(id: Types.ObjectId, lastUsedAt: Date | null): Promise<void> {
    const now = this.now();
    const staleBefore = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    if (lastUsedAt && lastUsedAt > staleBefore) return;
    try {
      await this.keys.updateOne(
        { _id: id, $or: [{ lastUsedAt: null }, { lastUsedAt: { $lte: staleBefore } }] },
        { $set: { lastUsedAt: now } },
      );
    } catch {
      // Bookkeeping must never refuse a valid key; the next request after the interval tries again.
    }
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
  lastUsedAt?: Date | null;
}): ApiKeyInfo {
  return {
    id: doc._id.toString(),
    tenantId: doc.tenantId.toString(),
    name: doc.name,
    prefix: doc.prefix,
    scope: doc.scope as ApiKeyScope,
    createdAt: doc.createdAt,
    revokedAt: doc.revokedAt ?? null,
    lastUsedAt: doc.lastUsedAt ?? null,
  };
}
