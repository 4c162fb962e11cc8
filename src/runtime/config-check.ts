import { crmDeclaration } from '../connectors/registry';
import { type VendorUrlPolicy, resolveVendorHosts } from '../connectors/ssrf';
import { ServerConfigError } from '../errors';
import { type Logger } from '../logger';
import { type Store } from '../store';

/** How many connections with vendor URL overrides one start looks at: a check, not a migration. */
const CHECKED_AT_MOST = 1000;

export interface RefusedConnection {
  connectionId: string;
  tenantId: string;
  crm: string;
  /** What is refused and which setting to change. */
  reason: string;
}

/**
 * Stored connections that cannot work under `policy`: their vendor URL overrides passed when they were
 * made, but ALLOW_VENDOR_URL_OVERRIDES / VENDOR_URL_ALLOWLIST refuse them now. Each use of one fails
 * with a {@link ServerConfigError} (UNAVAILABLE for its API users), so the operator should hear it first.
 */
export async function connectionsRefusedByPolicy(
  store: Pick<Store, 'connections'>,
  policy: VendorUrlPolicy,
): Promise<RefusedConnection[]> {
  const refused: RefusedConnection[] = [];
  for (const connection of await store.connections.listWithVendorUrls(CHECKED_AT_MOST)) {
    try {
      resolveVendorHosts(crmDeclaration(connection.crm), connection.vendorUrls, policy, connection.id);
    } catch (err) {
      const reason = err instanceof ServerConfigError ? err.operatorMessage : (err as Error).message;
      refused.push({
        connectionId: connection.id,
        tenantId: connection.tenantId,
        crm: connection.crm,
        reason,
      });
    }
  }
  return refused;
}

/**
 * The start-up side of it: one warning per refused connection, and never a failed start (a store
 * hiccup here is logged and the process starts anyway; each use of such a connection is logged too).
 */
export async function warnAboutRefusedConnections(
  store: Pick<Store, 'connections'>,
  policy: VendorUrlPolicy,
  logger: Logger,
): Promise<void> {
  try {
    const refused = await connectionsRefusedByPolicy(store, policy);
    for (const r of refused) {
      logger.warn(
        { connectionId: r.connectionId, tenantId: r.tenantId, crm: r.crm },
        `configuration: ${r.reason}`,
      );
    }
    if (refused.length > 0) {
      logger.warn(
        { count: refused.length },
        'configuration: stored connections this server refuses to use; their API users get UNAVAILABLE',
      );
    }
  } catch (err) {
    logger.warn({ err }, 'could not check stored connections against the vendor URL policy');
  }
}
