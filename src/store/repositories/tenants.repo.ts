import { isValidObjectId } from 'mongoose';
import { NotFoundError } from '../../errors';
import { mapDuplicateKey } from '../errors';
import { type TenantModel } from '../models/tenant.model';

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export class TenantsRepository {
  constructor(private readonly tenants: TenantModel) {}

  async create(name: string): Promise<Tenant> {
    const doc = await mapDuplicateKey(`a tenant named ${JSON.stringify(name)}`, () =>
      this.tenants.create({ name }),
    );
    return toTenant(doc);
  }

  async list(): Promise<Tenant[]> {
    const docs = await this.tenants.find().sort({ createdAt: 1 }).lean();
    return docs.map(toTenant);
  }

  async findById(id: string): Promise<Tenant | null> {
    if (!isValidObjectId(id)) return null;
    const doc = await this.tenants.findById(id).lean();
    return doc ? toTenant(doc) : null;
  }

  async findByName(name: string): Promise<Tenant | null> {
    const doc = await this.tenants.findOne({ name }).lean();
    return doc ? toTenant(doc) : null;
  }

  /** By id or, failing that, by name: what an operator types in the admin command. */
  async resolve(idOrName: string): Promise<Tenant> {
    const tenant = (await this.findById(idOrName)) ?? (await this.findByName(idOrName));
    if (!tenant) throw new NotFoundError(`no tenant with id or name ${JSON.stringify(idOrName)}`);
    return tenant;
  }
}

function toTenant(doc: { _id: { toString(): string }; name: string; createdAt: Date }): Tenant {
  return { id: doc._id.toString(), name: doc.name, createdAt: doc.createdAt };
}
