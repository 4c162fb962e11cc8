import { type CrmDefinition } from '../../../../src/connectors/definition';
import { type DynamicsApi } from '../../../../src/connectors/dynamics/api-context';
import { dynamicsSettings } from '../../../../src/connectors/dynamics/settings';
import { DynamicsConnector } from '../../../../src/connectors/dynamics/dynamics.connector';
import { type CrmKind } from '../../../../src/connectors/registry';
import { createLogger } from '../../../../src/logger';
import { dynamics } from '../../../../src/connectors/dynamics';
import { defaultHooks } from '../../../../src/connectors/http/hooks';
import { type AccessToken, type TokenAccess } from '../../../../src/connectors/http/http.types';
import { VendorHttpClient } from '../../../../src/connectors/http/vendor-client';
import { type VendorUrlPolicy, resolveVendorHosts } from '../../../../src/connectors/ssrf';
import { OAuth2Client } from '../../../../src/connectors/tokens/oauth2-client';
import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { createDynamicsSandbox, DEMO, type DynamicsServer } from '../../../../src/sandbox/dynamics';

/**
 * The Dataverse sandbox over a real socket, and the Dynamics connector's parts composed the way the
 * framework will compose them once the CRM is registered: vendor URLs through the SSRF guard (the
 * sandbox's origin allowlisted, as for the other CRMs' sandboxes), the shared OAuth client with the
 * connector's builders, the shared HTTP client with its hooks.
 */

export const POLICY: VendorUrlPolicy = { allowOverrides: true, allowlist: ['http://127.0.0.1:*'] };

/** The framework's view of the CRM, for the shared OAuth client. */
export const DEFINITION: CrmDefinition = dynamics;

/** Client-credentials tokens, fetched again on expiry or rejection (what the token service does for this grant). */
export class ClientCredentialsTokens implements TokenAccess {
  fetched = 0;
  private current: AccessToken | null = null;
  constructor(private readonly client: OAuth2Client) {}

  async get(): Promise<AccessToken> {
    if (!this.current || (this.current.expiresAt !== null && this.current.expiresAt < Date.now() + 60_000)) {
      return this.fetch();
    }
    return this.current;
  }

  refreshAfterRejection(): Promise<AccessToken> {
    return this.fetch();
  }

  private async fetch(): Promise<AccessToken> {
    const grant = await this.client.clientCredentials();
    this.fetched += 1;
    this.current = { value: grant.accessToken, expiresAt: grant.expiresAt };
    return this.current;
  }
}

export interface DynamicsHarness {
  server: DynamicsServer;
  live: ListeningSandbox;
  /** The connection's checked hosts: the authority (origin) and the environment URL. */
  hosts: { auth: string; api: string };
  vendorUrls: Record<string, string>;
  oauth: OAuth2Client;
  tokens: ClientCredentialsTokens;
  http: VendorHttpClient;
  /** The API handle the connector's area modules take, for calls the connector does not make itself. */
  api(): DynamicsApi;
  /** The connector on this connection, with its settings. */
  connector(settings?: Record<string, unknown>): DynamicsConnector;
  close(): Promise<void>;
}

export async function startHarness(
  counts: Record<string, number> = { contact: 40, opportunity: 15, account: 8 },
  settings: Record<string, unknown> = {},
): Promise<DynamicsHarness> {
  const server = createDynamicsSandbox({ orgs: [{ id: 'default', seed: 11, counts, settings }] });
  const live = await server.listen();
  const vendorUrls = { auth: `${live.baseUrl}/${DEMO.tenantId}`, api: live.baseUrl };
  const checked = resolveVendorHosts(DEFINITION.declaration, vendorUrls, POLICY);
  const hosts = { auth: new URL(checked.auth).origin, api: checked.api! };
  const oauth = new OAuth2Client({
    definition: DEFINITION,
    hosts,
    vendorUrls,
    app: { clientId: DEMO.clientId, clientSecret: DEMO.clientSecret, redirectUri: 'http://127.0.0.1/cb' },
    policy: POLICY,
  });
  const tokens = new ClientCredentialsTokens(oauth);
  const decl = DEFINITION.declaration;
  const http = new VendorHttpClient({
    crm: decl.kind,
    connectionId: 'conn-dyn',
    baseUrl: hosts.api,
    tokens,
    priority: 'interactive',
    hooks: {
      ...defaultHooks({ authScheme: decl.authScheme, requestIdHeader: decl.requestIdHeader }),
      ...DEFINITION.hooks,
    },
  });
  const connector = (connectionSettings: Record<string, unknown> = {}) =>
    new DynamicsConnector({
      connection: {
        id: 'conn-dyn',
        tenantId: 't1',
        // Not a registered kind yet (see `dynamics.connector.ts`).
        crm: 'dynamics' as unknown as CrmKind,
        externalAccountId: null,
        vendorUrls,
        settings: connectionSettings,
      },
      http,
      tokens,
      logger: createLogger({ level: 'silent' }),
    });
  const api = (): DynamicsApi => ({
    crm: 'dynamics',
    http,
    connectionId: 'conn-dyn',
    settings: dynamicsSettings({}),
    identityOnly: [],
    readBatch: decl.batch.read,
    writeBatch: decl.batch.write,
    logger: createLogger({ level: 'silent' }),
  });
  return { server, live, hosts, vendorUrls, oauth, tokens, http, api, connector, close: () => live.close() };
}
