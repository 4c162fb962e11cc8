import {
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLSchema,
  defaultFieldResolver,
} from 'graphql';
import { ForbiddenError, UnauthenticatedError } from '../../errors';
import { type RequestContext } from '../request-context';
import { PUBLIC_EXTENSION } from './public.decorator';
import { READ_KEY_MUTATION_EXTENSION, TOKEN_ACCESS_EXTENSION } from './token-access';

/**
 * The one authorization rule, wrapped once around every root field of the built schema (and each
 * subscription's `subscribe`), so no resolver checks it itself and a new field is closed by default:
 * - a root field needs an authenticated caller unless it is marked `@Public()`;
 * - every mutation needs a `read_write` key (or a READ_WRITE access token of one), except those marked
 *   `@ReadKeyMayCall()` (minting READ access tokens);
 * - an access token may call only fields marked `@TokenAccess()` (src/graphql/auth/token-access.ts).
 * Nested fields are reached only through a root field that passed, so they are not checked again.
 * Not a type-graphql global middleware: that wraps every nested field too (a promise per scalar),
 * which cost ~12% of a small query's throughput in `npm run bench:reads`.
 */
export function authorizeRootFields(schema: GraphQLSchema): GraphQLSchema {
  const roots = [
    { type: schema.getQueryType(), mutation: false },
    { type: schema.getMutationType(), mutation: true },
    { type: schema.getSubscriptionType(), mutation: false },
  ];
  for (const { type, mutation } of roots) {
    for (const field of Object.values((type as GraphQLObjectType | null)?.getFields() ?? {})) {
      if (field.extensions?.[PUBLIC_EXTENSION] === true) continue;
      const rule = {
        mutation: mutation && field.extensions?.[READ_KEY_MUTATION_EXTENSION] !== true,
        tokens: field.extensions?.[TOKEN_ACCESS_EXTENSION] === true,
      };
      field.resolve = guarded(field.resolve ?? defaultFieldResolver, rule);
      if (field.subscribe) field.subscribe = guarded(field.subscribe, rule);
    }
  }
  return schema;
}

function guarded(
  next: GraphQLFieldResolver<unknown, RequestContext>,
  rule: { mutation: boolean; tokens: boolean },
): GraphQLFieldResolver<unknown, RequestContext> {
  return (source, args, context, info) => {
    if (!context.auth) {
      throw new UnauthenticatedError(
        `${info.fieldName} needs an API key: send "Authorization: Bearer <key>" (HTTP) or connectionParams.authorization (WebSocket)`,
      );
    }
    if (context.auth.token && !rule.tokens) {
      throw new ForbiddenError(`${info.fieldName} needs an API key; an access token cannot call it`);
    }
    if (rule.mutation && context.auth.scope !== 'read_write') {
      throw new ForbiddenError(
        `${info.fieldName} is a mutation and needs a read_write key; this key's scope is ${context.auth.scope}`,
      );
    }
    return next(source, args, context, info);
  };
}
