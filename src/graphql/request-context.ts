import crypto from 'node:crypto';
import { type OperationDeadline, operationDeadline } from '../vendor-calls/deadline';
import { type GatewayPubSub } from '../events/pubsub';
import { type Logger } from '../logger';
import { type AppContext } from '../runtime/context';
import { type ApiKeyScope } from '../security/api-keys';
import { createLoaders, type Loaders } from './loaders';

/** Who is calling: the tenant and scope of the presented API key. */
export interface Auth {
  keyId: string;
  tenantId: string;
  scope: ApiKeyScope;
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
}

export function createRequestContext(services: GatewayServices, auth: Auth | null): RequestContext {
  const requestId = crypto.randomUUID();
  // Made on first use: a pino child costs tens of µs (a few % of a simple read in bench:reads), and an
  // operation that logs nothing at the configured level needs none.
  let logger: Logger | undefined;
  const deadline = operationDeadline(services.app.env.OPERATION_TIMEOUT_MS);
  return {
    ...services,
    auth,
    requestId,
    deadline,
    get logger() {
      return (logger ??= services.app.logger.child({ requestId, tenantId: auth?.tenantId }));
    },
    loaders: createLoaders({ app: services.app, auth, deadline }),
  };
}

/**
 * The context one subscription event executes with: the subscription's caller, request id and logger,
 * with loaders of its own, so the event reads what is current rather than what an earlier event cached.
 */
export function eventContext(subscription: RequestContext): RequestContext {
  // Each event is an operation of its own: a fresh deadline, not what is left of the subscription's.
  const deadline = operationDeadline(subscription.app.env.OPERATION_TIMEOUT_MS);
  return {
    ...subscription,
    deadline,
    loaders: createLoaders({ app: subscription.app, auth: subscription.auth, deadline }),
  };
}
