import type DataLoader from 'dataloader';
import { type OperationDeadline } from '../vendor-calls/deadline';
import { type CallPriority } from '../connectors/http/http.types';
import { type CrmConnector, type CrmObject } from '../connectors/types';
import { CrmNeedsReauthError, ForbiddenError } from '../errors';
import { type CrmServices } from '../runtime/crm-services';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type MappingSource } from './mappings';
import { type ExtraFields, readFieldsOf } from './read-fields';
import { ReadMetadata } from './read-metadata';
import { RecordLoaders } from './record-loaders';

/**
 * Per-request loaders of the read path. Resolvers never call a connector: they ask for a connection's
 * {@link ConnectionReader}, whose record and association loaders batch onto the connector's bulk reads
 * (`record-loaders.ts`). Everything here lives for one request: a cached record never reaches another
 * request or another tenant.
 */

export interface ReadOptions {
  /** @defaultValue the process's `app.crm` (tokens, budgets and SSRF policy of the gateway) */
  connectors?: ConnectorSource;
  /**
   * Batch and cache lookups. Off only to measure what DataLoader saves (`bench:reads`): every load is
   * then its own vendor call.
   * @defaultValue true
   */
  batching?: boolean;
}

export interface ReadLoaderDeps {
  /** The caller's tenant-scoped connection loader: another tenant's id is NOT_FOUND. */
  connection: DataLoader<string, ConnectionView>;
  connectors: ConnectorSource;
  mappings: MappingSource;
  /** See {@link ReadOptions.batching}. @defaultValue true */
  batching?: boolean;
  /** The operation's deadline, handed to every connector built here (their vendor calls abort at it). */
  deadline?: OperationDeadline;
}

/** One of the caller's connections, readable: its metadata and its loaders for this request. */
export interface ConnectionReader {
  readonly connection: ConnectionView;
  readonly metadata: ReadMetadata;
  readonly loaders: RecordLoaders;
}

export interface ReadLoaders {
  /** The reader of one of the caller's connections; rejects with NOT_FOUND, NEEDS_REAUTH or FORBIDDEN. */
  reader(connectionId: string): Promise<ConnectionReader>;
  /**
   * The objects this request reads for identity alone (`ConnectorContext.identityOnly`), decided from
   * the whole operation before it runs; readers built before this call read in full.
   */
  readIdentityOnly(objects: ReadonlySet<CrmObject>): void;
}

/** Where connectors of stored connections come from: `app.crm` in a gateway. */
export type ConnectorSource = Pick<CrmServices, 'connectorFor'>;

export function createReadLoaders(deps: ReadLoaderDeps): ReadLoaders {
  const readers = new Map<string, Promise<ConnectionReader>>();
  let identityOnly: ReadonlySet<CrmObject> = new Set();
  return {
    readIdentityOnly(objects) {
      identityOnly = objects;
    },
    reader(connectionId) {
      let reader = readers.get(connectionId);
      if (!reader) {
        reader = deps.connection.load(connectionId).then(async (connection) => {
          assertReadable(connection);
          const [contact, deal] = await Promise.all(
            (['contact', 'deal'] as const).map((o) =>
              deps.mappings.effective(connection.crm, connection.id, o),
            ),
          );
          const mapped = { contact: contact!, deal: deal! };
          // Built on first use: a request that only reads the store (mappings) never pays for it.
          const connector = (extra: ExtraFields = {}): CrmConnector =>
            deps.connectors.connectorFor(connection, 'interactive' satisfies CallPriority, {
              deadline: deps.deadline,
              readFields: readFieldsOf(mapped, extra),
              identityOnly: [...identityOnly],
            });
          const metadata = new ReadMetadata(connection, connector, mapped);
          return { connection, metadata, loaders: new RecordLoaders(metadata, deps.batching ?? true) };
        });
        readers.set(connectionId, reader);
      }
      return reader;
    },
  };
}

function assertReadable(connection: ConnectionView): void {
  if (connection.status === 'NEEDS_REAUTH') {
    throw new CrmNeedsReauthError(
      `connection ${connection.id} (${connection.crm}) needs to be authorized again before it can be read` +
        (connection.statusReason ? `: ${connection.statusReason}` : ''),
      { crm: connection.crm },
    );
  }
  if (connection.status === 'DISABLED') {
    throw new ForbiddenError(`connection ${connection.id} is DISABLED by an operator and cannot be read`);
  }
}
