import { type MiddlewareFn } from 'type-graphql';
import { ForbiddenError, UnauthenticatedError } from '../../errors';
import { type RequestContext } from '../request-context';
import { PUBLIC_EXTENSION } from './public.decorator';

/**
 * The one authorization rule, applied to every root field of every operation (a global middleware,
 * not a check in each resolver):
 * - a root field needs an authenticated caller unless it is marked `@Public()`;
 * - every mutation needs a `read_write` key.
 * Nested fields are reached only through a root field that passed, so they are not checked again.
 */
export const authMiddleware: MiddlewareFn<RequestContext> = async ({ context, info }, next) => {
  const rootTypes = [
    info.schema.getQueryType(),
    info.schema.getMutationType(),
    info.schema.getSubscriptionType(),
  ];
  if (!rootTypes.includes(info.parentType as never)) return next();

  const field = info.parentType.getFields()[info.fieldName];
  if (field?.extensions?.[PUBLIC_EXTENSION] === true) return next();

  if (!context.auth) {
    throw new UnauthenticatedError(
      `${info.fieldName} needs an API key: send "Authorization: Bearer <key>" (HTTP) or connectionParams.authorization (WebSocket)`,
    );
  }
  if (info.operation.operation === 'mutation' && context.auth.scope !== 'read_write') {
    throw new ForbiddenError(
      `${info.fieldName} is a mutation and needs a read_write key; this key's scope is ${context.auth.scope}`,
    );
  }
  return next();
};
