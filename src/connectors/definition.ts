import { type CrmDeclaration } from '../config/crms';
import { type CrmMappingDefaults } from '../mapping/types';
import { type VendorHooks } from './http/hooks';
import { type StoredTokens } from './tokens/credentials';
import { type ConnectorFactory } from './types';

/**
 * Everything the framework knows about one CRM, exported once by `src/connectors/<crm>/index.ts` and
 * listed once in `src/connectors/registry.ts`. The shared layers (HTTP client, OAuth client, token
 * service, budgets) read vendor behaviour from here and never name a vendor themselves.
 */
export interface CrmDefinition {
  /** Auth kinds, hosts, pinned API version, batch sizes, budgets: data (`config/crms.ts` types). */
  declaration: CrmDeclaration;
  /** Builds the connector for one connection and one kind of work. */
  create: ConnectorFactory;
  /** Where this vendor's HTTP differs from the defaults (`http/hooks.ts`): only those hooks. */
  hooks?: Partial<VendorHooks>;
  /** The canonical ↔ native mapping a connection starts with. */
  defaultMapping: CrmMappingDefaults;
  /** How the vendor's token endpoint answers, where it differs from RFC 6749 (see {@link TokenResponseParsing}). */
  tokens?: TokenResponseParsing;
  /** OAuth values that depend on the connection; absent ones come from `declaration.oauth`. */
  oauth?: OAuthBuilders;
  /**
   * How a deleted connection's grant is revoked at the vendor (see {@link GrantRevocation}). Absent:
   * the vendor offers no revocation, and a deletion records `not_revocable`.
   */
  revocation?: GrantRevocation;
  /**
   * How the vendor's webhook deliveries split into events before any connection is known (see
   * {@link WebhookDeliveries}). Absent: the vendor delivers no webhooks to us (it is polled), and
   * `POST /webhooks/<crm>` answers 404.
   */
  webhooks?: WebhookDeliveries;
}

/**
 * What the webhook route must learn from a raw delivery before it knows whose it is. One URL receives
 * every installing account's events (a vendor may send all accounts of an app to the app's one URL),
 * so the route splits the delivery into events, finds the connections of each event's account, verifies the
 * delivery with those connections' connectors, and lets each connector parse only its events.
 * Pure and total: a body that is not a delivery yields no events, never a throw.
 */
export interface WebhookDeliveries {
  /**
   * The events of `rawBody`, in delivery order, or null when the body is not a delivery of this vendor
   * at all (not JSON, not the documented envelope). An element that is not an event is skipped.
   */
  eventsOf(rawBody: Buffer): WebhookEventRef[] | null;
}

/** One event of a delivery, as the route needs it before any connector reads it. */
export interface WebhookEventRef {
  /** The vendor account the event belongs to (a portal id); null when the event names none. */
  accountId: string | null;
  /**
   * What tells a redelivery of this event from another event of the same account: equal for every
   * delivery attempt of one event, different for two events. The vendor's own event id is not always
   * enough (some reuse one across subscriptions); each vendor says in its docs/vendors file why
   * its key is what it is.
   */
  dedupeKey: string;
  /** The event alone, as a delivery of one event: what the connector's `parseWebhook` reads. */
  rawBody: Buffer;
}

/** A token endpoint's answer, as parsed JSON (`{}` when the body was not an object). */
export type TokenResponseBody = Readonly<Record<string, unknown>>;

/**
 * A vendor's token-endpoint dialect. The OAuth client handles RFC 6749 (`access_token`,
 * `refresh_token`, `expires_in`, `invalid_grant`); a vendor adds only what it does differently.
 */
export interface TokenResponseParsing {
  /**
   * Error codes, beside RFC 6749's `invalid_grant`, meaning "this grant is dead" (revoked or expired
   * refresh token, used code): only a person re-authorizing can fix it.
   */
  deadGrantCodes?: readonly string[];
  /** Seconds until the access token expires, when the vendor names the field otherwise than `expires_in`. */
  expiresInSeconds?(body: TokenResponseBody): unknown;
  /** The vendor account the token belongs to, where the response says. */
  accountId?(body: TokenResponseBody): string | undefined;
}

/** One call that revokes a grant: an absolute URL built from the connection's checked hosts. */
export interface RevokeRequest {
  method: 'POST' | 'DELETE';
  url: string;
  /** Form fields (`application/x-www-form-urlencoded`), for a vendor that takes the token in the body. */
  form?: Readonly<Record<string, string>>;
  /**
   * `basic`: the call carries the OAuth app's client id and secret as HTTP Basic auth (a vendor that
   * revokes a grant only for the app that holds it). Absent: the call is unauthenticated.
   */
  clientAuth?: 'basic';
}

/**
 * A vendor's token revocation, used when a connection is deleted (docs/sync.md "Lifecycle and
 * privacy"). The shared code (`tokens/revoke-grant.ts`) sends the request through the one transport
 * and SSRF policy, unauthenticated, and reads the answer; a vendor says only what differs.
 */
export interface GrantRevocation {
  /**
   * The call that revokes `stored`'s grant (a refresh token revokes the access tokens issued from it
   * where the vendor says so), or `{ notRevocable }` with the reason in words when the vendor has no API
   * for this kind of credential. URLs must be built from `connection.hosts` (checked by the SSRF guard).
   * A token may travel in the path: the shared code never puts the request's URL into an error or log.
   */
  request(stored: StoredTokens, connection: OAuthConnection): RevokeRequest | { notRevocable: string };
  /**
   * The vendor refused because the token is already dead (revoked, expired, never issued): for us the
   * grant is revoked. Given the HTTP status and the vendor's error code as the vendor's hooks parsed it.
   */
  isAlreadyRevoked(refusal: { status: number; vendorCode?: string }): boolean;
}

/**
 * What an OAuth URL or scope may depend on: the connection's checked vendor hosts and its stored vendor
 * URLs (e.g. a per-organisation resource host, a per-data-centre accounts server).
 */
export interface OAuthConnection {
  hosts: { auth: string; api: string | null };
  vendorUrls: Readonly<Record<string, string>>;
}

/** The grants the OAuth client sends to a token endpoint. */
export type OAuthGrantType = 'authorization_code' | 'refresh_token' | 'client_credentials';

/**
 * OAuth values a vendor computes per connection instead of declaring them once. Each has a default
 * from `declaration.oauth`; the OAuth routes (start, callback) and the token refresher all build their
 * OAuth client from the connection (`vendor-access.ts` `oauthClient`), so a builder sees the same
 * connection at authorization and at every refresh. URLs are built from `connection.hosts`, which the
 * SSRF guard has checked; a builder must not send credentials anywhere else.
 */
export interface OAuthBuilders {
  /** Scopes to request, e.g. one naming the connection's own resource host (default: `declaration.oauth.scopes`). */
  scopes?(connection: OAuthConnection): readonly string[];
  /** The authorize endpoint (default: `declaration.oauth.authorizePath` on the auth host). */
  authorizeUrl?(connection: OAuthConnection): string;
  /**
   * The token endpoint (default: `declaration.oauth.tokenPath` on the declared `tokenHost`), e.g. on
   * the accounts server of the connection's data centre (its `vendorUrls.auth`).
   */
  tokenUrl?(connection: OAuthConnection): string;
  /**
   * Form parameters a token request carries beside the grant's own (which win on a clash), e.g. the
   * scopes again on a refresh where the vendor asks for them. Default: none.
   */
  tokenParams?(grant: OAuthGrantType, connection: OAuthConnection): Readonly<Record<string, string>>;
  /**
   * Vendor URLs the authorization callback names (`auth`/`api`), e.g. the accounts server of the
   * data centre the user signed in at. The callback's query is the browser's say-so: the routes put
   * these through the SSRF guard like any vendor URL before the code exchange, and store them with
   * the connection, so its refreshes go to the same server. `flowUrls`: the URLs the flow started
   * with (what a named URL may be checked against). Default: none.
   */
  callbackVendorUrls?(
    query: Readonly<Record<string, unknown>>,
    flowUrls: Readonly<Record<string, string>>,
  ): Readonly<Record<string, string>>;
  /**
   * The API base a token response names, checked against the connection (e.g. kept only when it is
   * the API domain of the connection's own data centre), or undefined to keep none: the connection's
   * checked API host serves. Replaces the declaration's `tokenApiHost` check when given.
   */
  tokenApiBase?(body: TokenResponseBody, connection: OAuthConnection): string | undefined;
}
