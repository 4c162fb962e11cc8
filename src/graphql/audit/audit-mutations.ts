import {
  type GraphQLFieldResolver,
  type GraphQLSchema,
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
} from 'graphql';
import { type AuditActor } from '../../audit/audit.types';
import { mutationTargets } from '../../audit/mutation-targets';
import { isAppError } from '../../errors';
import { type Auth, type RequestContext } from '../request-context';

/**
 * Records every mutation in the audit log (src/audit/), wrapped once around each root mutation field
 * of the built schema — outside the authorization rule, so a refused attempt (FORBIDDEN, a read key) is
 * recorded as well as what went through. A new mutation is audited by default. Only a caller with no key
 * at all is not recorded: it has no tenant whose log it could go to (the request log has it).
 */
export function auditMutations(schema: GraphQLSchema): GraphQLSchema {
  for (const field of Object.values(schema.getMutationType()?.getFields() ?? {})) {
    const returnsConnection = getNamedType(field.type).name === 'Connection';
    field.resolve = audited(field.resolve ?? defaultFieldResolver, returnsConnection);
  }
  return schema;
}

function audited(
  next: GraphQLFieldResolver<unknown, RequestContext>,
  returnsConnection: boolean,
): GraphQLFieldResolver<unknown, RequestContext> {
  return async (source, args: Record<string, unknown>, context, info) => {
    const auth = context.auth;
    let result: unknown;
    let failure: unknown;
    try {
      result = await next(source, args, context, info);
    } catch (err) {
      failure = err;
    }
    if (auth) {
      await context.app.audit.record({
        tenantId: auth.tenantId,
        actor: auditActor(auth),
        action: info.fieldName,
        ...mutationTargets(args, failure === undefined ? result : null, returnsConnection),
        outcome: failure === undefined ? 'SUCCEEDED' : 'FAILED',
        errorCode: failure === undefined ? null : errorCodeOf(failure),
      });
    }
    if (failure !== undefined) throw failure;
    return result;
  };
}

export function auditActor(auth: Auth): AuditActor {
  return auth.token
    ? { kind: 'ACCESS_TOKEN', keyId: auth.keyId, subject: auth.token.subject }
    : { kind: 'API_KEY', keyId: auth.keyId, subject: null };
}

function errorCodeOf(err: unknown): string {
  if (isAppError(err)) return err.code;
  const code = err instanceof GraphQLError ? err.extensions?.code : undefined;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
}
