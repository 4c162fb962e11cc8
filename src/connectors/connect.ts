import { type AuthKind } from '../config/crms';
import { BadUserInputError, CrmError } from '../errors';
import { type Logger } from '../logger';
import { type HttpTransport } from './http/http.types';
import { identifyAccount, identitySettings } from './identify';
import { type VendorUrlPolicy } from './ssrf';
import { type StoredTokens, staticTokenCredentials } from './tokens/credentials';
import { InvalidGrantError } from './tokens/oauth2-client';
import { oauthClient, vendorAccess } from './vendor-access';

/**
 * Connecting a CRM without a browser (`createConnection`): an API token (a private app's or a
 * personal token) or an app's client credentials (a client-credentials flow). OAuth code-flow
 * connections go through `/oauth/:crm/start` instead.
 *
 * The credentials are checked before anything is stored — a token must be present, client credentials
 * must get a token from the vendor now — so a connection that exists can be used. Where the connector
 * can tell which vendor account (and app) the credentials belong to (`identify`), that is learned here
 * too: a token the vendor rejects is refused.
 */
export interface TokenConnectionRequest {
  crm: string;
  /** `{ token }` or `{ clientId, clientSecret }`; `authKind` picks one when a CRM accepts both. */
  credentials: Record<string, unknown>;
  /** Per-connection vendor URLs (`auth`, `api`), checked by the SSRF guard. */
  vendorUrls?: Record<string, string>;
}

export interface PreparedConnection {
  credentials: StoredTokens;
  vendorUrls: Record<string, string>;
  externalAccountId: string | null;
  /** Settings learned from the vendor (the app id budgets are scoped by); they win over the caller's. */
  settings: Record<string, string>;
}

export interface PrepareOptions {
  transport?: HttpTransport;
  logger?: Logger;
}

const SHAPES: Partial<Record<AuthKind, string>> = {
  static_token: '{ "token": "…" }',
  oauth2_client_credentials: '{ "clientId": "…", "clientSecret": "…" }',
};

export async function prepareTokenConnection(
  request: TokenConnectionRequest,
  policy: VendorUrlPolicy,
  options: PrepareOptions = {},
): Promise<PreparedConnection> {
  const { transport } = options;
  const vendorUrls = request.vendorUrls ?? {};
  for (const [key, value] of Object.entries(vendorUrls)) {
    if (typeof value !== 'string')
      throw new BadUserInputError(`input.vendorUrls.${key} must be a URL string`);
  }
  const access = vendorAccess({ crm: request.crm, vendorUrls, policy });
  const { declaration: decl, hosts } = access;
  const checkedUrls: Record<string, string> = {};
  if (vendorUrls.auth) checkedUrls.auth = hosts.auth;
  if (vendorUrls.api && hosts.api) checkedUrls.api = hosts.api;

  const kinds = decl.authKinds.filter((k) => SHAPES[k] !== undefined);
  const authKind = pickAuthKind(request.credentials, kinds);
  if (!authKind) {
    const accepted = kinds.map((k) => SHAPES[k]).join(' or ');
    throw new BadUserInputError(
      kinds.length === 0
        ? `${decl.displayName} connects only through OAuth: open /oauth/${decl.kind}/start`
        : `input.credentials for ${decl.displayName} must be ${accepted}` +
            (decl.authKinds.includes('oauth2_code')
              ? ` (or connect through /oauth/${decl.kind}/start)`
              : '') +
            `; got an object with keys ${Object.keys(request.credentials).join(', ') || '(none)'}`,
    );
  }

  if (authKind === 'static_token') {
    const token = request.credentials.token ?? request.credentials.accessToken;
    if (typeof token !== 'string' || token.trim() === '') {
      throw new BadUserInputError('input.credentials.token must be a non-empty string');
    }
    return identified(
      { credentials: staticTokenCredentials(token), vendorUrls: checkedUrls, externalAccountId: null },
      decl.kind,
      policy,
      options,
    );
  }

  const { clientId, clientSecret } = request.credentials;
  if (typeof clientId !== 'string' || typeof clientSecret !== 'string' || !clientId || !clientSecret) {
    throw new BadUserInputError('input.credentials.clientId and clientSecret must be non-empty strings');
  }
  const client = oauthClient(access, { clientId, clientSecret, redirectUri: '' }, { policy, transport });
  const grant = await client.clientCredentials().catch((err: unknown) => {
    if (err instanceof InvalidGrantError || (err instanceof CrmError && !err.retryable)) {
      throw new BadUserInputError(`${decl.displayName} refused the client credentials: ${err.message}`);
    }
    throw err;
  });
  return identified(
    {
      credentials: {
        authKind,
        accessToken: grant.accessToken,
        expiresAt: grant.expiresAt,
        apiBaseUrl: grant.apiBaseUrl,
        clientId,
        clientSecret,
      },
      vendorUrls: checkedUrls,
      externalAccountId: grant.externalAccountId ?? null,
    },
    decl.kind,
    policy,
    options,
  );
}

/**
 * Adds what the connector's `identify` learns: the account where the token response did not name it,
 * and the app id (token responses never name it).
 */
async function identified(
  prepared: Omit<PreparedConnection, 'settings'>,
  crm: string,
  policy: VendorUrlPolicy,
  options: PrepareOptions,
): Promise<PreparedConnection> {
  const identity = await identifyAccount({
    crm,
    credentials: prepared.credentials,
    vendorUrls: prepared.vendorUrls,
    policy,
    transport: options.transport,
    logger: options.logger,
  });
  return {
    ...prepared,
    externalAccountId: prepared.externalAccountId ?? identity?.accountId ?? null,
    settings: identitySettings(identity),
  };
}

function pickAuthKind(
  credentials: Record<string, unknown>,
  kinds: readonly AuthKind[],
): AuthKind | undefined {
  const named = credentials.authKind;
  if (typeof named === 'string') return kinds.find((k) => k === named);
  if (kinds.includes('static_token') && ('token' in credentials || 'accessToken' in credentials)) {
    return 'static_token';
  }
  if (kinds.includes('oauth2_client_credentials') && 'clientId' in credentials)
    return 'oauth2_client_credentials';
  return undefined;
}
