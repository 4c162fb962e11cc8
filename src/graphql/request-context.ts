import crypto from 'node:crypto';
import { type OperationDeadline, operationDeadline } from '../vendor-calls/deadline';
import { type GatewayPubSub } from '../events/pubsub';
import { type Logger } from '../logger';
import { type AppContext } from '../runtime/context';
import { type TokenRestrictions } from '../security/access-tokens/access-token';
import { type ApiKeyScope } from '../security/api-keys';
import { createLoaders, type Loaders } from './loaders';

/**
 * Who is calling: the tenant and scope of the presented API key, or of the key that minted the
 * presented access token (then `keyId` is that key's and `token` narrows what it may reach).
 */
export interface Auth {
  keyId: string;
  tenantId: string;
  scope: ApiKeyScope;
  /** Set for an access token: its connections, objects, subject and expiry (src/graphql/auth/token-access.ts). */
  token?: TokenRestrictions;
}

/** What the gateway process hands to every request: built once, shared by all requests. */
export interface GatewayServices {
  app: AppContext;
  pubsub: GatewayPubSub;
}

/**
 * The context of one GraphQL operation (an HTTP request, or one operation on a WebSocket).
 * Resolvers take it with `@Ctx() ctx: RequestContext`, or only the caller with `@CurrentAuth()`.
 */
export interface RequestContext extends GatewayServices {
  /** Null when no key was presented: only `@Public()` fields resolve then. */
  auth: Auth | null;
  /**
   * Fresh per operation and per subscription event ({@link eventContext}), so a cached value never
   * outlives the request or event, nor crosses tenants.
   */
  loaders: Loaders;
  requestId: string;
  /**
   * When this operation must have answered (`OPERATION_TIMEOUT_MS` from its start): its vendor calls
   * are aborted then, and it answers UNAVAILABLE naming what was late.
   */
  deadline: OperationDeadline;
  /** The process logger with this request's id and tenant bound. */
  logger: Logger;
  /**
   * The HTTP `Idempotency-Key` header as sent (null without one, and on WebSocket operations): the
   * write mutations' key unless their `idempotencyKey` argument names one (src/graphql/writes/).
   */
  idempotencyKey: string | null;
}

/**
 * The context's lazy parts live on the prototype: Apollo copies the context it is given for each
 * request (`Object.assign(Object.create(proto), ctx)`), which calls every own getter — an own `logger`
 * getter built a pino child per request whether anything logged or not. A prototype getter survives
 * that copy unevaluated.
 */
class OperationContext implements RequestContext {
  declare app: AppContext;
  declare pubsub: GatewayPubSub;
  readonly loaders: Loaders;
  /** A pino child costs tens of µs: made on first use, and an operation that logs nothing needs none. */
  private madeLogger: Logger | undefined;

  constructor(
    services: GatewayServices,
    readonly auth: Auth | null,
    readonly requestId: string,
    readonly deadline: OperationDeadline,
    readonly idempotencyKey: string | null = null,
  ) {
    Object.assign(this, services);
    this.loaders = createLoaders({ app: services.app, auth, deadline });
  }

  get logger(): Logger {
    const token = this.auth?.token;
    // An access token's operations name its end user and minting key (never the token itself).
    return (this.madeLogger ??= this.app.logger.child({
      requestId: this.requestId,
      tenantId: this.auth?.tenantId,
      ...(token ? { subject: token.subject, keyId: this.auth!.keyId } : {}),
    }));
  }
}

export function createRequestContext(
  services: GatewayServices,
  auth: Auth | null,
  request: { idempotencyKey?: string | null } = {},
): RequestContext {
  return new OperationContext(
    services,
    auth,
    crypto.randomUUID(),
    operationDeadline(services.app.env.OPERATION_TIMEOUT_MS),
    request.idempotencyKey ?? null,
  );
}

/**
 * The context one subscription event executes with: the subscription's caller, request id and logger,
 * with loaders of its own, so the event reads what is current rather than what an earlier event cached.
 */
export function eventContext(subscription: RequestContext): RequestContext {
  // Each event is an operation of its own: a fresh deadline, not what is left of the subscription's.
  return new OperationContext(
    { app: subscription.app, pubsub: subscription.pubsub },
    subscription.auth,
    subscription.requestId,
    operationDeadline(subscription.app.env.OPERATION_TIMEOUT_MS),
  );
}
