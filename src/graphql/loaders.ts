import DataLoader from 'dataloader';
import { type OperationDeadline } from '../vendor-calls/deadline';
import { NotFoundError } from '../errors';
import { storedMappingSource } from '../reads/mappings';
import { type ReadLoaders, type ReadOptions, createReadLoaders } from '../reads/read-loaders';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { mayUseConnection, noConnection } from './auth/token-access';
import { type RequestContext } from './request-context';

/** What a loader factory may use: the process's stores and the caller. */
export type LoaderDeps = Pick<RequestContext, 'app' | 'auth'> & {
  /** The operation's deadline, carried to the connectors of the read loaders. */
  deadline?: OperationDeadline;
  /** Options of the contact/deal read loaders (benchmarks and tests). */
  reads?: ReadOptions;
};

/**
 * Per-request DataLoaders. A feature adds its loader here: a field in {@link Loaders} and a line in
 * {@link createLoaders}. Loaders are tenant-scoped by construction (they read `ctx.auth`), so a key
 * of another tenant resolves to a NotFoundError like an unknown one — as does a connection an access
 * token does not list.
 */
export interface Loaders {
  /** Connections of the caller's tenant by id. */
  connection: DataLoader<string, ConnectionView>;
  /** Contacts, deals and their associations, batched per (connection, object) onto bulk reads. */
  reads: ReadLoaders;
}

export function createLoaders(ctx: LoaderDeps): Loaders {
  const connection = new DataLoader<string, ConnectionView>(async (ids) => {
    if (!ctx.auth) return ids.map(() => new NotFoundError('no tenant: the request is not authenticated'));
    // An access token's other connections are never read: NOT_FOUND like another tenant's.
    const found = await ctx.app.store.connections.findManyForTenant(
      ctx.auth.tenantId,
      ids.filter((id) => mayUseConnection(ctx.auth, id)),
    );
    const byId = new Map(found.map((c) => [c.id, c]));
    return ids.map((id) => byId.get(id) ?? noConnection(id));
  });
  const reads = createReadLoaders({
    connection,
    connectors: ctx.reads?.connectors ?? ctx.app.crm,
    mappings: storedMappingSource(ctx.app.store.fieldMappings),
    batching: ctx.reads?.batching,
    deadline: ctx.deadline,
  });
  return { connection, reads };
}
