import { type ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { BadUserInputError, CrmError, UnauthenticatedError } from '../errors';
import { operationNeedsKey } from '../graphql/auth/operation-needs-key';
import { identityOnlyObjects } from '../graphql/records/record-selection';
import { type RequestContext } from '../graphql/request-context';
import { classifyError, toGraphQLError } from './format-error';
import { type OperationLimits } from './limits';
import { checkOperation } from './variables';
import { type OperationResult, recordOperation, recordOperationStoreCommands } from './operation-metrics';

/**
 * Checks on the HTTP path (subscriptions refused, a key where one is needed, variables, limits): after
 * validation, before execution. (The WebSocket path does not go through Apollo and runs the same
 * checks in `onConnect` and `onSubscribe`, src/server/websocket.ts.)
 */
export function operationChecksPlugin(limits: OperationLimits): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operation, contextValue }) {
          if (operation?.operation === 'subscription') {
            throw toGraphQLError(
              new BadUserInputError(
                'subscriptions run over WebSocket: open ws(s)://<host>/graphql with the graphql-transport-ws protocol (graphql-ws)',
              ),
              400,
            );
          }
          // No key and a field that needs one: 401 before anything runs, as for a bad key.
          if (!contextValue.auth && operation && operationNeedsKey(schema, document, operation)) {
            throw toGraphQLError(
              new UnauthenticatedError(
                'this operation needs an API key: send "Authorization: Bearer <key>" (only health answers without one)',
              ),
              401,
              { 'www-authenticate': 'Bearer' },
            );
          }
          const error = checkOperation(
            { schema, document, operationName: request.operationName, variables: request.variables },
            limits,
          );
          if (error) throw toGraphQLError(error, 400);
          // Before execution, so every reader of the request selects alike (`record-selection.ts`).
          if (operation) {
            contextValue.loaders.reads.readIdentityOnly(identityOnlyObjects(schema, document, operation));
          }
        },
      };
    },
  };
}

/**
 * Metrics and one log line per operation; unexpected errors are logged here with the request's logger
 * (the client only sees a generic message).
 */
export function observabilityPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    // A request whose context could not be built (a bad API key) never reaches requestDidStart.
    async contextCreationDidFail() {
      recordOperation({ operation: undefined, type: undefined, result: 'rejected' }, 0);
    },
    async requestDidStart({ contextValue }) {
      const started = process.hrtime.bigint();
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async didEncounterErrors({ errors }) {
          for (const error of errors) {
            const c = classifyError(error);
            if (c.internal)
              contextValue.logger.error(
                { err: error.originalError ?? error, path: error.path },
                'unexpected error',
              );
            // UPSTREAM is a vendor refusing a request we built: the operator needs the vendor's id for it.
            else if (c.code === 'UPSTREAM') logUpstream(contextValue, error);
          }
        },
        async willSendResponse({ response, operation, request, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const hasErrors =
            (errors?.length ?? 0) > 0 ||
            (response.body.kind === 'single' && (response.body.singleResult.errors?.length ?? 0) > 0);
          const result: OperationResult = !executed ? 'rejected' : hasErrors ? 'error' : 'ok';
          recordOperationStoreCommands();
          recordOperation(
            {
              operation: request.operationName ?? operation?.name?.value,
              type: operation?.operation,
              result,
            },
            seconds,
          );
          // Asked first so that a level above info does not build the request's child logger for nothing.
          if (contextValue.app.logger.isLevelEnabled('info'))
            contextValue.logger.info(
              {
                operation: request.operationName ?? operation?.name?.value ?? null,
                type: operation?.operation,
                result,
                executed,
                ms: Math.round(seconds * 1000),
              },
              'graphql operation',
            );
        },
      };
    },
  };
}

function logUpstream(ctx: RequestContext, error: GraphQLError): void {
  let cause: unknown = error;
  while (cause instanceof GraphQLError && cause.originalError) cause = cause.originalError;
  if (!(cause instanceof CrmError)) return;
  ctx.logger.warn(
    {
      crm: cause.crm,
      status: cause.status,
      vendorCode: cause.vendorCode,
      vendorRequestId: cause.vendorRequestId,
      path: error.path,
    },
    `the CRM refused a request: ${cause.message}`,
  );
}
