import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import { type CrmDeclaration } from '../../config/crms';
import {
  type AppError,
  BadUserInputError,
  ConflictError,
  ForbiddenError,
  NotFoundError,
  ServerConfigError,
  UnauthenticatedError,
  isAppError,
} from '../../errors';
import { type Logger } from '../../logger';
import { type ApiKeyScope } from '../../security/api-keys';
import { type ConnectionView, type ConnectionsRepository } from '../../store/repositories/connections.repo';
import { type HttpTransport } from '../http/http.types';
import { identifyAccount, identitySettings } from '../identify';
import { crmDefinition, isCrmKind } from '../registry';
import { type VendorUrlPolicy } from '../ssrf';
import { type StoredTokens } from '../tokens/credentials';
import { type OAuthApp, InvalidGrantError } from '../tokens/oauth2-client';
import { type TokenService } from '../tokens/token.service';
import { type VendorAccess, oauthClient, vendorAccess } from '../vendor-access';
import { callbackVendorUrls, checkedVendorUrls } from './callback-urls';
import { type OAuthStateStore } from './oauth-state';

/**
 * `GET /oauth/:crm/start` and `GET /oauth/:crm/callback`: connecting a CRM through the vendor's OAuth
 * web-server flow, mounted at the root of the gateway's HTTP app.
 *
 * Both change state (they create or re-authorize a connection), so they follow the rule of GraphQL
 * mutations: a `read_write` key. start checks the key; callback (which carries no key: the browser
 * comes back from the vendor) checks that the key that started the flow is still live and read_write.
 *
 * start (read_write API key required): `?displayName=`, `?connectionId=` to re-authorize (at the
 * connection's stored vendor URLs), `?authUrl=`/`?apiUrl=` vendor URL overrides (SSRF-guarded; sandboxes), `?format=json` to get `{ authorizeUrl }` instead of
 * a 302 (for a backend that forwards the URL to a browser).
 *
 * callback (called by the browser coming back from the vendor): exchanges the code, learns which vendor
 * account (and app) the token belongs to where the connector can tell (`identify`), stores the tokens
 * encrypted, creates the connection or re-authorizes the one named at start, answers JSON.
 */
export interface OAuthRoutesOptions {
  states: OAuthStateStore;
  connections: Pick<
    ConnectionsRepository,
    'create' | 'getForTenant' | 'getCredentials' | 'update' | 'setStatus'
  >;
  tokens: Pick<TokenService, 'storeGrant' | 'indexExpiry'>;
  /** Our OAuth app per CRM; `undefined` when the operator configured none (the route answers 404). */
  apps: (crm: string) => OAuthApp | undefined;
  policy: VendorUrlPolicy;
  /**
   * The vendor URLs a new connection of `crm` is made with when start names none
   * (`CRM_DEFAULT_VENDOR_URLS`; in the demo, the sandboxes). Checked by the SSRF guard like a request's.
   */
  defaultVendorUrls?: (crm: string) => Readonly<Record<string, string>> | undefined;
  /** The caller from the request's API key; null when none was presented. */
  authenticate: (req: Request) => Promise<{ keyId: string; tenantId: string; scope: ApiKeyScope } | null>;
  /** The key that started a flow, as it is now: null when it was revoked since. */
  currentKey: (keyId: string) => Promise<{ tenantId: string; scope: ApiKeyScope } | null>;
  /** Told after a connection was created or re-authorized (connection events are published from here). */
  /** `keyId`: the API key that started the flow (null for a flow from before keys were recorded in it). */
  onConnected?: (
    connection: ConnectionView,
    change: 'CREATED' | 'REAUTHORIZED',
    keyId: string | null,
  ) => Promise<void>;
  transport?: HttpTransport;
  logger?: Logger;
}

export function createOAuthRouter(options: OAuthRoutesOptions): Router {
  const router = express.Router();

  router.get('/oauth/:crm/start', async (req: Request, res: Response) => {
    const auth = await options.authenticate(req);
    if (!auth) throw new UnauthenticatedError('an API key is required to start connecting a CRM');
    requireReadWrite(auth.scope, 'starting to connect a CRM');
    const { decl, app } = oauthCrm(req.params.crm as string, options);
    const q = req.query as Record<string, unknown>;
    const displayName = optionalString(q.displayName, 'displayName', 120);
    const connectionId = optionalString(q.connectionId, 'connectionId', 64);
    // Re-authorizing goes back to where the connection was made (its stored vendor URLs: a My Domain,
    // a sandbox) unless the request names other ones; either way through the SSRF guard below.
    let vendorUrls: Record<string, string> = {};
    if (connectionId) {
      const existing = await options.connections.getForTenant(auth.tenantId, connectionId);
      if (existing.crm !== decl.kind) {
        throw new BadUserInputError(
          `connection ${connectionId} is a ${existing.crm} connection, not ${decl.kind}`,
        );
      }
      vendorUrls = { ...existing.vendorUrls };
    }
    const authUrl = optionalString(q.authUrl, 'authUrl', 2048);
    const apiUrl = optionalString(q.apiUrl, 'apiUrl', 2048);
    if (authUrl) vendorUrls.auth = authUrl;
    if (apiUrl) vendorUrls.api = apiUrl;
    const namesNoUrls = !connectionId && !authUrl && !apiUrl;
    if (namesNoUrls) vendorUrls = { ...options.defaultVendorUrls?.(decl.kind) };
    // Refused stored URLs are the operator's error (the policy changed); refused requested ones, the caller's.
    const storedOnly = connectionId && !authUrl && !apiUrl ? connectionId : undefined;
    const access = namesNoUrls
      ? defaultAccess(decl, vendorUrls, options.policy)
      : vendorAccess({ crm: decl.kind, vendorUrls, policy: options.policy, storedFor: storedOnly });
    const checkedUrls = checkedVendorUrls(vendorUrls, access.hosts);

    const state = await options.states.issue({
      tenantId: auth.tenantId,
      keyId: auth.keyId,
      crm: decl.kind,
      connectionId,
      displayName,
      vendorUrls: checkedUrls,
    });
    const client = oauthClient(access, app, options);
    const authorizeUrl = client.authorizeUrl(state);
    if (q.format === 'json') res.json({ authorizeUrl });
    else res.redirect(302, authorizeUrl);
  });

  router.get('/oauth/:crm/callback', async (req: Request, res: Response) => {
    const { decl, app } = oauthCrm(req.params.crm as string, options);
    const q = req.query as Record<string, unknown>;
    if (typeof q.error === 'string') {
      // Consume the state anyway so that it cannot be replayed with a code later.
      await options.states.consume(q.state, decl.kind).catch(() => undefined);
      const description =
        typeof q.error_description === 'string' ? `: ${q.error_description.slice(0, 200)}` : '';
      throw new BadUserInputError(
        `${decl.displayName} did not authorize the connection (${q.error.slice(0, 64)}${description})`,
      );
    }
    const flow = await options.states.consume(q.state, decl.kind);
    // A flow from before keys were recorded in it has no key to check: it expires within the state TTL.
    if (flow.keyId) {
      const key = await options.currentKey(flow.keyId);
      if (!key || key.tenantId !== flow.tenantId) {
        throw new UnauthenticatedError('the API key that started this connection was revoked; start again');
      }
      requireReadWrite(key.scope, 'connecting a CRM');
    }
    const code = optionalString(q.code, 'code', 4096);
    if (!code) throw new BadUserInputError(`the callback carries no authorization code`);

    // A vendor may name more URLs on the way back (its data centre's accounts server): checked like
    // start's, they serve the code exchange and are stored, so refreshes go to the same server.
    const named = callbackVendorUrls(crmDefinition(decl.kind), flow.vendorUrls, q);
    const access = vendorAccess({
      crm: decl.kind,
      vendorUrls: named ?? flow.vendorUrls,
      policy: options.policy,
    });
    const vendorUrls = named ? checkedVendorUrls(named, access.hosts) : flow.vendorUrls;
    const client = oauthClient(access, app, options);
    const grant = await client.exchangeCode(code).catch((err: unknown) => {
      if (err instanceof InvalidGrantError) {
        throw new BadUserInputError(
          `${decl.displayName} refused the authorization code (${err.vendorCode}); start again`,
        );
      }
      throw err;
    });
    const tokens: StoredTokens = {
      authKind: 'oauth2_code',
      accessToken: grant.accessToken,
      refreshToken: grant.refreshToken,
      expiresAt: grant.expiresAt,
      apiBaseUrl: grant.apiBaseUrl,
    };
    // Asked even when the token response named the account: no token response names the app, which
    // budgets may be scoped by (a vendor may count per account and app).
    const identity = await identifyAccount({
      crm: decl.kind,
      credentials: tokens,
      vendorUrls,
      policy: options.policy,
      transport: options.transport,
      logger: options.logger,
    });
    const accountId = grant.externalAccountId ?? identity?.accountId;
    const learned = identitySettings(identity);

    let connection: ConnectionView;
    let change: 'CREATED' | 'REAUTHORIZED';
    if (flow.connectionId) {
      const existing = await options.connections.getForTenant(flow.tenantId, flow.connectionId);
      if (existing.externalAccountId && accountId && existing.externalAccountId !== accountId) {
        throw new ConflictError(
          `this connection belongs to ${decl.displayName} account ${existing.externalAccountId}, but account ${accountId} was authorized`,
        );
      }
      // Keep what else the credentials hold (a connector's own secrets); replace the tokens.
      const previous = await options.connections.getCredentials(existing.id);
      await options.tokens.storeGrant(existing.id, { ...previous, ...tokens } as StoredTokens);
      const patch: Parameters<OAuthRoutesOptions['connections']['update']>[1] = {};
      if (!existing.externalAccountId && accountId) patch.externalAccountId = accountId;
      if (named && JSON.stringify(vendorUrls) !== JSON.stringify(existing.vendorUrls)) {
        patch.vendorUrls = vendorUrls;
      }
      if (Object.entries(learned).some(([k, v]) => existing.settings[k] !== v)) {
        patch.settings = { ...existing.settings, ...learned };
      }
      if (Object.keys(patch).length > 0) await options.connections.update(existing.id, patch);
      await options.connections.setStatus(existing.id, 'ACTIVE', null);
      connection = {
        ...existing,
        ...patch,
        status: 'ACTIVE',
        statusReason: null,
        externalAccountId: existing.externalAccountId ?? accountId ?? null,
      };
      change = 'REAUTHORIZED';
    } else {
      connection = await options.connections.create({
        tenantId: flow.tenantId,
        crm: decl.kind,
        displayName: flow.displayName ?? decl.displayName,
        credentials: tokens,
        externalAccountId: accountId ?? null,
        vendorUrls,
        settings: learned,
      });
      await options.tokens.indexExpiry(connection.id, tokens);
      change = 'CREATED';
    }
    options.logger?.info({ connectionId: connection.id, crm: decl.kind, change }, 'CRM connected');
    await options.onConnected?.(connection, change, flow.keyId ?? null);
    res.json({ connectionId: connection.id, crm: decl.kind, status: connection.status, change });
  });

  router.use('/oauth', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (!isAppError(err)) {
      next(err);
      return;
    }
    const retryAfterMs = (err as { retryAfterMs?: unknown }).retryAfterMs;
    if (typeof retryAfterMs === 'number') res.set('retry-after', String(Math.ceil(retryAfterMs / 1000)));
    if (err.code === 'UNAUTHENTICATED') res.set('www-authenticate', 'Bearer');
    res.status(httpStatus(err)).json({
      error: {
        code: err.code,
        message: err.message,
        ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
      },
    });
  });

  return router;
}

function oauthCrm(kind: string, options: OAuthRoutesOptions): { decl: CrmDeclaration; app: OAuthApp } {
  if (!isCrmKind(kind)) throw new NotFoundError(`unknown CRM ${JSON.stringify(kind)}`);
  const decl = crmDefinition(kind).declaration;
  if (!decl.oauth || !decl.authKinds.includes('oauth2_code')) {
    throw new NotFoundError(`${decl.displayName} does not connect through OAuth; use createConnection`);
  }
  const app = options.apps(kind);
  if (!app) throw new NotFoundError(`no ${decl.displayName} OAuth app is configured on this server`);
  return { decl, app };
}

/** The configured default URLs: refused ones are the operator's configuration error, not the caller's. */
function defaultAccess(
  decl: CrmDeclaration,
  vendorUrls: Record<string, string>,
  policy: VendorUrlPolicy,
): VendorAccess {
  try {
    return vendorAccess({ crm: decl.kind, vendorUrls, policy });
  } catch (err) {
    if (!(err instanceof BadUserInputError)) throw err;
    throw new ServerConfigError(
      `CRM_DEFAULT_VENDOR_URLS names ${decl.kind} URLs this server's vendor URL policy refuses: ${err.message}`,
      { cause: err },
    );
  }
}

function requireReadWrite(scope: ApiKeyScope, what: string): void {
  if (scope !== 'read_write') {
    throw new ForbiddenError(
      `${what} changes state and needs a read_write key; this key's scope is ${scope}`,
    );
  }
}

function optionalString(value: unknown, name: string, max: number): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || value.length > max) {
    throw new BadUserInputError(`${name} must be a string of at most ${max} characters`);
  }
  return value;
}

function httpStatus(err: AppError): number {
  switch (err.code) {
    case 'BAD_USER_INPUT':
    case 'VALIDATION':
      return 400;
    case 'UNAUTHENTICATED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
      return 404;
    case 'CONFLICT':
      return 409;
    case 'RATE_LIMITED':
      return 429;
    case 'UNAVAILABLE':
    case 'AUTH_EXPIRED':
      return 503;
    default:
      return 502;
  }
}
