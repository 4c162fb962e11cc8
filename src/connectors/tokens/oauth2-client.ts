import { type CrmDeclaration } from '../../config/crms';
import { CrmError, CrmUpstreamError } from '../../errors';
import { type HttpTransport } from '../http/http.types';
import { VendorHttpClient } from '../http/vendor-client';
import { type VendorUrlPolicy, checkTokenApiBase } from '../ssrf';
import { type StoredTokens, type TokenGrant } from './credentials';

/** Our OAuth app at a vendor (client id/secret from configuration, never from an API call). */
export interface OAuthApp {
  clientId: string;
  clientSecret: string;
  /** The gateway's `/oauth/:crm/callback` URL as registered with the vendor. */
  redirectUri: string;
}

/**
 * The vendor refused the grant itself (revoked or expired refresh token, used or expired code): only a
 * human re-authorizing the connection can fix it.
 */
export class InvalidGrantError extends Error {
  override name = 'InvalidGrantError';
  constructor(
    message: string,
    readonly vendorCode: string,
  ) {
    super(message);
  }
}

/**
 * Error codes meaning "this grant is dead": RFC 6749 `invalid_grant` (Salesforce, HubSpot v3, Entra),
 * HubSpot's legacy `BAD_REFRESH_TOKEN`, Zoho's `invalid_code` (sent with HTTP 200).
 */
const INVALID_GRANT_CODES = new Set(['invalid_grant', 'BAD_REFRESH_TOKEN', 'BAD_AUTH_CODE', 'invalid_code']);

export interface OAuth2ClientOptions {
  decl: CrmDeclaration;
  /** The connection's vendor hosts, already checked (`resolveVendorHosts`). */
  hosts: { auth: string; api: string | null };
  app: OAuthApp;
  policy: VendorUrlPolicy;
  transport?: HttpTransport;
  now?: () => number;
}

/**
 * The OAuth 2.0 endpoints of one vendor, driven by its declaration: authorize URL, code exchange,
 * refresh, client credentials. Token responses are normalized into a {@link TokenGrant}, with the API
 * host they name checked by the SSRF guard before anything is sent to it.
 */
export class OAuth2Client {
  private readonly http: VendorHttpClient;
  private readonly now: () => number;

  constructor(private readonly options: OAuth2ClientOptions) {
    if (!options.decl.oauth) throw new Error(`${options.decl.displayName} has no OAuth declaration`);
    this.now = options.now ?? Date.now;
    this.http = new VendorHttpClient({
      crm: options.decl.kind,
      transport: options.transport,
      priority: 'interactive',
      timeoutMs: 10_000,
      now: this.now,
    });
  }

  private get oauth() {
    return this.options.decl.oauth!;
  }

  get tokenUrl(): string {
    const host = this.oauth.tokenHost === 'auth' ? this.options.hosts.auth : this.options.hosts.api;
    if (!host)
      throw new Error(
        `${this.options.decl.displayName} declares its token endpoint on a host it has no default for`,
      );
    return new URL(this.oauth.tokenPath, host).toString();
  }

  /** The vendor's authorize URL for a browser redirect. */
  authorizeUrl(state: string): string {
    const url = new URL(this.oauth.authorizePath, this.options.hosts.auth);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.options.app.clientId);
    url.searchParams.set('redirect_uri', this.options.app.redirectUri);
    url.searchParams.set('scope', this.oauth.scopes.join(this.oauth.scopeSeparator));
    url.searchParams.set('state', state);
    for (const [k, v] of Object.entries(this.oauth.extraAuthorizeParams ?? {})) url.searchParams.set(k, v);
    return url.toString();
  }

  exchangeCode(code: string): Promise<TokenGrant> {
    return this.grant({ grant_type: 'authorization_code', code, redirect_uri: this.options.app.redirectUri });
  }

  refresh(refreshToken: string): Promise<TokenGrant> {
    return this.grant({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  clientCredentials(): Promise<TokenGrant> {
    return this.grant({ grant_type: 'client_credentials' });
  }

  private async grant(params: Record<string, string>): Promise<TokenGrant> {
    const form: Record<string, string> = { ...params };
    const headers: Record<string, string> = {};
    if (this.oauth.clientAuth === 'basic') {
      const basic = Buffer.from(
        `${encodeURIComponent(this.options.app.clientId)}:${encodeURIComponent(this.options.app.clientSecret)}`,
      ).toString('base64');
      headers.authorization = `Basic ${basic}`;
    } else {
      form.client_id = this.options.app.clientId;
      form.client_secret = this.options.app.clientSecret;
    }
    let body: unknown;
    try {
      // Not idempotent: a refresh with rotation invalidates the old refresh token, and a code is single
      // use, so a request whose answer was lost must not be sent again.
      const res = await this.http.request({
        method: 'POST',
        url: this.tokenUrl,
        form,
        headers,
        anonymous: true,
        idempotent: false,
      });
      body = res.body;
    } catch (err) {
      if (err instanceof CrmError && err.vendorCode && INVALID_GRANT_CODES.has(err.vendorCode)) {
        throw new InvalidGrantError(
          `${this.options.decl.displayName} refused the grant: ${err.message}`,
          err.vendorCode,
        );
      }
      throw err;
    }
    return this.toGrant(body);
  }

  private toGrant(body: unknown): TokenGrant {
    const crm = this.options.decl.kind;
    const o = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    const accessToken = typeof o.access_token === 'string' ? o.access_token : undefined;
    if (!accessToken) {
      // Zoho answers token errors with HTTP 200 and `{"error": "invalid_code"}`.
      const code = typeof o.error === 'string' ? o.error : undefined;
      if (code && INVALID_GRANT_CODES.has(code)) {
        throw new InvalidGrantError(`${this.options.decl.displayName} refused the grant (${code})`, code);
      }
      throw new CrmUpstreamError(
        `${this.options.decl.displayName} token response has no access_token${code ? ` (error ${code})` : ''}`,
        { crm, vendorCode: code },
      );
    }
    const expiresIn = Number(o.expires_in ?? o.expires_in_sec);
    const field = this.options.decl.tokenApiHost?.field;
    return {
      accessToken,
      refreshToken:
        typeof o.refresh_token === 'string' && o.refresh_token !== '' ? o.refresh_token : undefined,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 : null,
      apiBaseUrl:
        field && o[field] !== undefined
          ? checkTokenApiBase(this.options.decl, o[field], this.options.policy)
          : undefined,
      externalAccountId: accountIdFromTokenResponse(o),
    };
  }
}

/**
 * The vendor account a token belongs to, where the response says: HubSpot `hub_id`; Salesforce's `id`
 * identity URL `https://login.salesforce.com/id/{orgId}/{userId}`.
 */
export function accountIdFromTokenResponse(o: Record<string, unknown>): string | undefined {
  if (typeof o.hub_id === 'number' || typeof o.hub_id === 'string') return String(o.hub_id);
  if (typeof o.id === 'string') {
    const m = /\/id\/([A-Za-z0-9]{15,18})\/[A-Za-z0-9]{15,18}\/?$/.exec(o.id);
    if (m) return m[1];
  }
  return undefined;
}

/**
 * The token refresher for connections of one OAuth app: a refresh grant for code-flow connections, a
 * new client-credentials token for server-to-server ones (which get no refresh token).
 */
export function oauthRefresher(client: OAuth2Client): (stored: StoredTokens) => Promise<TokenGrant> {
  return async (stored) => {
    if (stored.authKind === 'oauth2_client_credentials') return client.clientCredentials();
    if (!stored.refreshToken) {
      throw new InvalidGrantError(
        'the connection has no refresh token (the app lacks offline access)',
        'no_refresh_token',
      );
    }
    return client.refresh(stored.refreshToken);
  };
}
