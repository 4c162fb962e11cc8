import type http from 'node:http';
import {
  type ExecutionArgs,
  getOperationAST,
  GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  parse,
  specifiedRules,
  validate,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { isAppError } from '../errors';
import { subscribeWithEventContexts } from '../graphql/per-event-subscribe';
import {
  type Auth,
  createRequestContext,
  eventContext,
  type GatewayServices,
  type RequestContext,
} from '../graphql/request-context';
import { authenticate } from './auth';
import { classifyError, formatGatewayError, toGraphQLError } from './format-error';
import { type OperationLimits } from './limits';
import { checkOperation } from './variables';
import { recordOperation } from './operation-metrics';

/** Close code for a connection without a valid key (graphql-ws uses 4401 for "Unauthorized"). */
export const WS_CLOSE_UNAUTHENTICATED = CloseCode.Unauthorized;

export interface WebSocketOptions {
  server: http.Server;
  path: string;
  schema: GraphQLSchema;
  services: GatewayServices;
  limits: OperationLimits;
  introspection: boolean;
  /** Browser origins other than the server's own that may open a socket. */
  allowedOrigins: readonly string[];
}

type Extra = {
  auth?: Auth;
};

/**
 * graphql-ws on the HTTP server's `path`. Apollo's plugins do not see these operations, so this file
 * repeats what they do: authentication (once, in `onConnect`), the operation limits and the
 * introspection switch (in `onSubscribe`, before anything executes), error formatting and metrics.
 */
export function attachWebSocketServer(options: WebSocketOptions): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    // Auth is in connectionParams, not cookies, so a foreign page gains nothing from a socket; still,
    // browsers send Origin, and refusing unknown ones keeps the allowlist meaning the same on both paths.
    verifyClient: ({ origin, req }: { origin?: string; req: http.IncomingMessage }) =>
      !origin || isSameOrigin(origin, req.headers.host) || options.allowedOrigins.includes(origin),
  });
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const { logger } = options.services.app;

  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      schema: options.schema,
      // Each event runs with fresh loaders: a subscription's context outlives any one event.
      subscribe: (args) =>
        subscribeWithEventContexts(
          { ...args, contextValue: args.contextValue as RequestContext },
          eventContext,
        ),
      async onConnect(ctx) {
        try {
          const auth = await authenticate(ctx.connectionParams?.authorization, options.services.app.store);
          if (auth) {
            ctx.extra.auth = auth;
            return true;
          }
          ctx.extra.socket.close(
            WS_CLOSE_UNAUTHENTICATED,
            'Unauthorized: connectionParams.authorization must hold an API key',
          );
        } catch (err) {
          const reason = isAppError(err) ? err.message : 'authentication failed';
          if (!isAppError(err)) logger.error({ err }, 'WebSocket authentication failed');
          ctx.extra.socket.close(WS_CLOSE_UNAUTHENTICATED, `Unauthorized: ${reason}`.slice(0, 120));
        }
        return false;
      },
      async onSubscribe(ctx, _id, payload) {
        const started = process.hrtime.bigint();
        const reject = (errors: GraphQLError[], type?: string) => {
          recordOperation(
            { operation: payload.operationName, type, result: 'rejected' },
            Number(process.hrtime.bigint() - started) / 1e9,
          );
          return errors;
        };
        let document;
        try {
          document = parse(payload.query);
        } catch (err) {
          const e = err as GraphQLError;
          return reject([
            new GraphQLError(e.message, {
              nodes: e.nodes,
              source: e.source,
              positions: e.positions,
              extensions: { code: 'GRAPHQL_PARSE_FAILED' },
            }),
          ]);
        }
        const type = getOperationAST(document, payload.operationName)?.operation;
        const validationErrors = validate(options.schema, document, rules);
        if (validationErrors.length > 0) {
          return reject(
            validationErrors.map(
              (e) =>
                new GraphQLError(e.message, {
                  nodes: e.nodes,
                  extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
                }),
            ),
            type,
          );
        }
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createRequestContext(options.services, ctx.extra.auth ?? null),
        };
        const limitError = checkOperation(
          {
            schema: options.schema,
            document,
            operationName: payload.operationName,
            variables: payload.variables,
          },
          options.limits,
        );
        if (limitError) return reject([toGraphQLError(limitError)], type);
        recordOperation(
          { operation: payload.operationName, type, result: 'ok' },
          Number(process.hrtime.bigint() - started) / 1e9,
        );
        return args;
      },
      onNext(_ctx, _id, _payload, _args, result) {
        if (!result.errors?.length) return;
        for (const error of result.errors) {
          if (classifyError(error).internal)
            logger.error({ err: error.originalError ?? error, path: error.path }, 'unexpected error');
        }
        return { ...result, errors: result.errors.map((e) => formatGatewayError(e.toJSON(), e)) };
      },
      onError(_ctx, _id, _payload, errors) {
        return errors.map((e) => formatGatewayError(e.toJSON(), e));
      },
    },
    wss,
  );

  return {
    async dispose() {
      await disposable.dispose();
    },
  };
}

function isSameOrigin(origin: string, host: string | undefined): boolean {
  try {
    return !!host && new URL(origin).host === host;
  } catch {
    return false;
  }
}
