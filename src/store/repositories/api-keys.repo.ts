import { isValidObjectId, Types } from 'mongoose';
import { BadUserInputError, NotFoundError } from '../../errors';
import { type ApiKeyScope, generateApiKey, hashApiKey, looksLikeApiKey } from '../../security/api-keys';
import { type StoreChangePublisher } from '../changes';
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

/** How many candidate ids an ambiguous revoke prefix names: enough to pick from, bounded. */
const AMBIGUOUS_PREFIX_LISTED = 10;

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
    /** Where a revocation or scope change is announced, so every gateway's key cache drops the key. */
    private readonly changes?: StoreChangePublisher,
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

  /**
   * Revokes by id or by display prefix, and reports the key it revoked. Idempotent: revoking twice
   * keeps the first date. The prefix is 8 random characters shown in listings, not a unique key, so
   * a prefix that names more than one key is refused (naming their ids) rather than revoking one and
   * reporting another: the write and the report both go through the one id resolved first.
   */
  async revoke(idOrPrefix: string): Promise<ApiKeyInfo> {
    const id = await this.resolveForRevoke(idOrPrefix);
    await this.keys.updateOne({ _id: id, revokedAt: null }, { $set: { revokedAt: new Date() } });
    const doc = await this.keys.findById(id).lean();
    if (!doc) throw new NotFoundError(`no API key with id or prefix ${JSON.stringify(idOrPrefix)}`);
    await this.changes?.publish({ kind: 'api-key', id: doc._id.toString() });
    return toInfo(doc);
  }

  /**
   * Changes a live key's scope (by id or display prefix, resolved as {@link revoke} does) and reports
   * it. A revoked key is refused: it has no scope left to change.
   */
  async setScope(idOrPrefix: string, scope: ApiKeyScope): Promise<ApiKeyInfo> {
    const id = await this.resolveForRevoke(idOrPrefix);
    const doc = await this.keys.findOneAndUpdate(
      { _id: id, revokedAt: null },
      { $set: { scope } },
      { new: true, lean: true },
    );
    if (!doc) throw new NotFoundError(`no live API key with id or prefix ${JSON.stringify(idOrPrefix)}`);
    await this.changes?.publish({ kind: 'api-key', id: doc._id.toString() });
    return toInfo(doc);
  }

  private async resolveForRevoke(idOrPrefix: string): Promise<Types.ObjectId> {
    if (isValidObjectId(idOrPrefix)) return new Types.ObjectId(idOrPrefix);
    const matches = await this.keys
      .find({ prefix: idOrPrefix }, { _id: 1 })
      .sort({ createdAt: 1, _id: 1 })
      .limit(AMBIGUOUS_PREFIX_LISTED + 1)
      .lean();
    const [first, ...others] = matches;
    if (!first) throw new NotFoundError(`no API key with id or prefix ${JSON.stringify(idOrPrefix)}`);
    if (others.length === 0) return first._id;
    const ids = matches.slice(0, AMBIGUOUS_PREFIX_LISTED).map((m) => m._id.toString());
    const more = matches.length > AMBIGUOUS_PREFIX_LISTED ? ' and more' : '';
    throw new BadUserInputError(
      `the prefix ${JSON.stringify(idOrPrefix)} matches several API keys (${ids.join(', ')}${more}): revoke by id`,
      { details: { candidateIds: ids } },
    );
  }

  /** The tenant and scope of a presented key, or null when it is unknown, malformed or revoked. */
  async authenticate(presented: string): Promise<AuthenticatedKey | null> {
    if (!looksLikeApiKey(presented)) return null;
    const doc = await this.keys.findOne({ hash: hashApiKey(presented), revokedAt: null }).lean();
    if (!doc) return null;
    await this.touch(doc._id, doc.lastUsedAt ?? null);
    return { keyId: doc._id.toString(), tenantId: doc.tenantId.toString(), scope: doc.scope as ApiKeyScope };
  }

  /** The tenant and scope of a key by id, or null when there is none or it is revoked. */
  async findLive(id: string): Promise<AuthenticatedKey | null> {
    if (!isValidObjectId(id)) return null;
    const doc = await this.keys.findOne({ _id: new Types.ObjectId(id), revokedAt: null }).lean();
    if (!doc) return null;
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
