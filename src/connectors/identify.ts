import { BadUserInputError } from '../errors';
import { type Logger, createLogger } from '../logger';
import { type HttpTransport, type TokenAccess } from './http/http.types';
import { type VendorUrlPolicy } from './ssrf';
import { type StoredTokens } from './tokens/credentials';
import { type AccountIdentity, type ConnectorContext } from './types';
import { vendorAccess, vendorClient } from './vendor-access';

/**
 * Learning which vendor account (and app) new credentials belong to, through the connector's optional
 * `identify` capability, before the connection is stored: createConnection and the OAuth callback call
 * this, so neither knows which CRM needs it or how the vendor tells.
 *
 * The account id scopes budgets to what the vendor counts (a portal, a portal + app) and routes webhooks
 * to their connection; without it a connection still works, with per-connection budgets and no webhook
 * events (dropped, logged). So only credentials the vendor rejects stop the connection; any other
 * failure to learn the account is logged and leaves it unknown.
 */
export interface IdentifyRequest {
  crm: string;
  /** The credentials as they will be stored (a fresh grant, a private-app token). */
  credentials: StoredTokens;
  /** The connection's checked vendor URL overrides, as they will be stored. */
  vendorUrls: Readonly<Record<string, string>>;
  policy: VendorUrlPolicy;
  transport?: HttpTransport;
  logger?: Logger;
}

/** The settings key the identified app id is stored under (read by `ratelimit/budget-gate.ts`). */
export const APP_ID_SETTING = 'appId';

/** Thrown by the connect-time token access when the vendor rejects the credentials (a 401). */
class CredentialsRejected extends Error {
  override name = 'CredentialsRejected';
}

/**
 * The account the credentials belong to, or null when the connector has no `identify` or the vendor did
 * not say. Throws BAD_USER_INPUT when the vendor rejects the credentials.
 */
export async function identifyAccount(request: IdentifyRequest): Promise<AccountIdentity | null> {
  // Throws naming the declared kinds when `crm` is not one of them.
  const access = vendorAccess({ crm: request.crm, vendorUrls: request.vendorUrls, policy: request.policy });
  const decl = access.declaration;
  const { credentials } = request;
  const tokens: TokenAccess = {
    get: async () => ({
      value: credentials.accessToken,
      expiresAt: credentials.expiresAt,
      apiBaseUrl: credentials.apiBaseUrl,
      authKind: credentials.authKind,
    }),
    refreshAfterRejection: async () => {
      // A token issued or handed over a moment ago: refused means it is wrong, not stale.
      throw new CredentialsRejected(`${decl.displayName} rejected the credentials`);
    },
  };
  // Unmetered: the budget scope is what is being learned, and this is one call per connection made,
  // by a person, before the connection exists.
  const http = vendorClient(access, {
    transport: request.transport,
    tokens,
    priority: 'interactive',
    timeoutMs: 10_000,
  });
  const logger = request.logger;
  const ctx: ConnectorContext = {
    // Not stored yet: no id, tenant or settings to give.
    connection: {
      id: 'connecting',
      tenantId: '',
      crm: access.kind,
      externalAccountId: null,
      vendorUrls: request.vendorUrls,
      settings: {},
    },
    http,
    tokens,
    logger: (logger ?? createLogger({ level: 'silent' })).child({ crm: decl.kind }),
  };
  const connector = access.definition.create(ctx);
  if (!connector.identify) return null;
  try {
    return await connector.identify(credentials.authKind);
  } catch (err) {
    if (err instanceof CredentialsRejected) {
      throw new BadUserInputError(
        `${decl.displayName} rejected the credentials: check the token and try again`,
      );
    }
    logger?.warn(
      { err, crm: decl.kind },
      `could not learn which ${decl.displayName} account the credentials belong to: budgets stay per connection and webhook events are dropped until it is known`,
    );
    return null;
  }
}

/** The settings a connection gets from its identity (the app id budgets are scoped by). */
export function identitySettings(identity: AccountIdentity | null): Record<string, string> {
  return identity?.appId ? { [APP_ID_SETTING]: identity.appId } : {};
}
