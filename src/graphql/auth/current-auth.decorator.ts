import { createParameterDecorator } from 'type-graphql';
import { UnauthenticatedError } from '../../errors';
import { type Auth, type RequestContext } from '../request-context';

/** The caller's tenant and scope, as a resolver parameter: `@CurrentAuth() auth: Auth`. */
export function CurrentAuth(): ReturnType<typeof createParameterDecorator> {
  return createParameterDecorator<RequestContext>(({ context }) => requireAuth(context));
}

/** The caller, or UNAUTHENTICATED. For code paths the middleware does not cover (subscribe functions). */
export function requireAuth(context: Pick<RequestContext, 'auth'>): Auth {
  if (!context.auth) throw new UnauthenticatedError('this operation needs an API key');
  return context.auth;
}
