import { CrmError, CrmUpstreamError } from '../../errors';
import {
  type CrmDefinition,
  type OAuthConnection,
  type OAuthGrantType,
  type TokenResponseBody,
} from '../definition';
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

/** An OAuth client's credentials as an HTTP Basic `authorization` value (RFC 6749 §2.3.1: form-encoded first). */
export function basicClientAuth(app: Pick<OAuthApp, 'clientId' | 'clientSecret'>): string {
  const pair = `${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`;
  return `Basic ${Buffer.from(pair).toString('base64')}`;
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

/** RFC 6749's "this grant is dead"; a vendor adds its own codes (`TokenResponseParsing.deadGrantCodes`). */
const RFC_INVALID_GRANT = 'invalid_grant';

export interface OAuth2ClientOptions {
  /** The CRM: its declaration's OAuth endpoints, its OAuth builders and token-response dialect. */
  definition: CrmDefinition;
  /** The connection's vendor hosts, already checked (`resolveVendorHosts`). */
  hosts: { auth: string; api: string | null };
  /** The connection's stored vendor URLs, for OAuth values that depend on them. */
  vendorUrls?: Readonly<Record<string, string>>;
  app: OAuthApp;
  policy: VendorUrlPolicy;
  transport?: HttpTransport;
  now?: () => number;
}

/**
 * The OAuth 2.0 endpoints of one vendor, driven by its definition: authorize URL, code exchange,
 * refresh, client credentials. Token responses are normalized into a {@link TokenGrant}, with the API
 * host they name checked by the SSRF guard before anything is sent to it. Knows no vendor: each one's
 * dialect (dead-grant codes, expiry field, account identity) comes from its definition.
 */
export class OAuth2Client {
  private readonly http: VendorHttpClient;
  private readonly now: () => number;
  private readonly deadGrantCodes: ReadonlySet<string>;

  constructor(private readonly options: OAuth2ClientOptions) {
    const decl = options.definition.declaration;
    if (!decl.oauth) throw new Error(`${decl.displayName} has no OAuth declaration`);
    this.now = options.now ?? Date.now;
    this.deadGrantCodes = new Set([RFC_INVALID_GRANT, ...(options.definition.tokens?.deadGrantCodes ?? [])]);
    this.http = new VendorHttpClient({
      crm: decl.kind,
      transport: options.transport,
      priority: 'interactive',
      timeoutMs: 10_000,
      now: this.now,
    });
  }

  private get decl() {
    return this.options.definition.declaration;
  }

  private get oauth() {
    return this.decl.oauth!;
  }

  private get connection(): OAuthConnection {
    return { hosts: this.options.hosts, vendorUrls: this.options.vendorUrls ?? {} };
  }

  get tokenUrl(): string {
    const built = this.options.definition.oauth?.tokenUrl;
    if (built) return built(this.connection);
    const host = this.oauth.tokenHost === 'auth' ? this.options.hosts.auth : this.options.hosts.api;
    if (!host)
      throw new Error(`${this.decl.displayName} declares its token endpoint on a host it has no default for`);
    return new URL(this.oauth.tokenPath, host).toString();
  }

  private get scopes(): readonly string[] {
    return this.options.definition.oauth?.scopes?.(this.connection) ?? this.oauth.scopes;
  }

  /** The vendor's authorize URL for a browser redirect. */
  authorizeUrl(state: string): string {
    const built = this.options.definition.oauth?.authorizeUrl;
    const url = built
      ? new URL(built(this.connection))
      : new URL(this.oauth.authorizePath, this.options.hosts.auth);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('client_id', this.options.app.clientId);
    url.searchParams.set('redirect_uri', this.options.app.redirectUri);
    url.searchParams.set('scope', this.scopes.join(this.oauth.scopeSeparator));
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

  private async grant(params: Record<string, string> & { grant_type: OAuthGrantType }): Promise<TokenGrant> {
    const extra = this.options.definition.oauth?.tokenParams?.(params.grant_type, this.connection);
    const form: Record<string, string> = { ...extra, ...params };
    const headers: Record<string, string> = {};
    if (this.oauth.clientAuth === 'basic') {
      headers.authorization = basicClientAuth(this.options.app);
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
      if (err instanceof CrmError && err.vendorCode && this.deadGrantCodes.has(err.vendorCode)) {
        throw new InvalidGrantError(
          `${this.decl.displayName} refused the grant: ${err.message}`,
          err.vendorCode,
        );
      }
      throw err;
    }
    return this.toGrant(body);
  }

  private toGrant(body: unknown): TokenGrant {
    const crm = this.decl.kind;
    const parsing = this.options.definition.tokens;
    const o = (body && typeof body === 'object' ? body : {}) as TokenResponseBody;
    const accessToken = typeof o.access_token === 'string' ? o.access_token : undefined;
    if (!accessToken) {
      // Some vendors answer token errors with HTTP 200 and `{"error": "<code>"}`.
      const code = typeof o.error === 'string' ? o.error : undefined;
      if (code && this.deadGrantCodes.has(code)) {
        throw new InvalidGrantError(`${this.decl.displayName} refused the grant (${code})`, code);
      }
      throw new CrmUpstreamError(
        `${this.decl.displayName} token response has no access_token${code ? ` (error ${code})` : ''}`,
        { crm, vendorCode: code },
      );
    }
    const expiresIn = Number(o.expires_in ?? parsing?.expiresInSeconds?.(o));
    const field = this.decl.tokenApiHost?.field;
    const builtBase = this.options.definition.oauth?.tokenApiBase;
    return {
      accessToken,
      refreshToken:
        typeof o.refresh_token === 'string' && o.refresh_token !== '' ? o.refresh_token : undefined,
      expiresAt: Number.isFinite(expiresIn) && expiresIn > 0 ? this.now() + expiresIn * 1000 : null,
      apiBaseUrl: builtBase
        ? builtBase(o, this.connection)
        : field && o[field] !== undefined
          ? checkTokenApiBase(this.decl, o[field], this.options.policy)
          : undefined,
      externalAccountId: parsing?.accountId?.(o),
    };
  }
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
