import { Types } from 'mongoose';
import { ConflictError } from '../../errors';
import { type ClaimNames, type IdentityProviderConfig } from '../../security/access-tokens/identity-provider';
import { type StoreChangePublisher } from '../changes';
import { type IdentityProviderModel } from '../models/identity-provider.model';

/**
 * Tenants' identity providers. Every change is announced (kind `identity-provider`, id = issuer) so
 * each gateway drops what it cached of that issuer: a key removed from a JWKS stops verifying within
 * the broadcast's latency.
 */
export class IdentityProvidersRepository {
  constructor(
    private readonly providers: IdentityProviderModel,
    private readonly changes?: StoreChangePublisher,
  ) {}

  /** Creates or replaces the tenant's provider of `config.issuer`; CONFLICT when another tenant has it. */
  async put(config: IdentityProviderConfig): Promise<IdentityProviderConfig> {
    const existing = await this.providers.findOne({ issuer: config.issuer }).lean();
    if (existing && existing.tenantId.toString() !== config.tenantId) {
      throw new ConflictError('another tenant has registered this issuer');
    }
    const fields = {
      tenantId: new Types.ObjectId(config.tenantId),
      keyId: config.keyId,
      issuer: config.issuer,
      audience: config.audience,
      jwks: JSON.stringify(config.jwks),
      claims: JSON.stringify(config.claims),
    };
    await this.providers.updateOne({ issuer: config.issuer }, { $set: fields }, { upsert: true });
    await this.changes?.publish({ kind: 'identity-provider', id: config.issuer });
    return config;
  }

  /** Removes the tenant's provider of `issuer`; false when it had none. */
  async remove(tenantId: string, issuer: string): Promise<boolean> {
    const { deletedCount } = await this.providers.deleteOne({
      tenantId: new Types.ObjectId(tenantId),
      issuer,
    });
    if (deletedCount > 0) await this.changes?.publish({ kind: 'identity-provider', id: issuer });
    return deletedCount > 0;
  }

  async findByIssuer(issuer: string): Promise<IdentityProviderConfig | null> {
    const doc = await this.providers.findOne({ issuer }).lean();
    if (!doc) return null;
    return {
      tenantId: doc.tenantId.toString(),
      keyId: doc.keyId,
      issuer: doc.issuer,
      audience: doc.audience,
      jwks: JSON.parse(doc.jwks) as IdentityProviderConfig['jwks'],
      claims: JSON.parse(doc.claims) as ClaimNames,
    };
  }
}
