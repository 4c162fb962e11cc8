import type http from 'node:http';
import {
  type ExecutionArgs,
  getOperationAST,
  type GraphQLError,
  type GraphQLSchema,
  NoSchemaIntrospectionCustomRule,
  specifiedRules,
} from 'graphql';
import { CloseCode } from 'graphql-ws';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocket, WebSocketServer } from 'ws';
import { isAppError, UnauthenticatedError, UnavailableError } from '../errors';
import { subscribeWithEventContexts } from '../graphql/per-event-subscribe';
import {
  type Auth,
  createRequestContext,
  eventContext,
  type GatewayServices,
  type RequestContext,
} from '../graphql/request-context';
import { authenticate, type KeyAuthenticator } from './auth';
import { DocumentCache } from './document-cache';
import { classifyError, formatGatewayError, toGraphQLError } from './format-error';
import { MAX_CONNECTION_INIT_BYTES, MAX_REQUEST_BYTES, type OperationLimits } from './limits';
import { checkOperation } from './variables';
import { recordOperation } from './operation-metrics';
import { type RequestRateLimiter } from './request-rate-limit';

/**
 * The close codes this server uses, one per reason (the README's "Errors" table lists them with the
 * HTTP statuses of the same situations). The 44xx ones are graphql-ws's own.
 */
export const WS_CLOSE = {
  /**
   * No key, a malformed, unknown or revoked key, an invalid or expired access token — at connect, or
   * later once the key is revoked or the token expires (the client reconnects with a fresh token).
   */
  UNAUTHENTICATED: CloseCode.Unauthorized,
  /** A message over {@link MAX_REQUEST_BYTES}, or a `connection_init` over {@link MAX_CONNECTION_INIT_BYTES}. */
  MESSAGE_TOO_BIG: 1009,
  /** No `connection_init` within WS_INIT_TIMEOUT_MS (graphql-ws closes the socket). */
  INIT_TIMEOUT: CloseCode.ConnectionInitialisationTimeout,
  /** The server is shutting down: reconnect (to another instance). graphql-ws's dispose sends it. */
  GOING_AWAY: 1001,
  /** The key could not be checked, at connect or after it changed (the store did not answer): reconnect later. */
  TRY_AGAIN_LATER: 1013,
} as const;

export interface WebSocketOptions {
  server: http.Server;
  path: string;
  schema: GraphQLSchema;
  services: GatewayServices;
  limits: OperationLimits;
  introspection: boolean;
  /** Browser origins other than the server's own that may open a socket. */
  allowedOrigins: readonly string[];
  /** The process's key cache: each operation runs with the key's current state. */
  keys: KeyAuthenticator & { onChange(listener: (keyId: string | null) => void): () => void };
  rateLimiter: RequestRateLimiter;
  /** How long a socket may wait before its `connection_init` (graphql-ws closes it 4408 then). */
  connectionInitWaitTimeoutMs: number;
}

type Extra = {
  auth?: Auth;
  /** What the client presented at connect, looked up again before each operation. */
  presented?: unknown;
};

/**
 * graphql-ws on the HTTP server's `path`. Apollo's plugins do not see these operations, so this file
 * repeats what they do: authentication, the rate limit, the operation limits and the introspection
 * switch (in `onSubscribe`, before anything executes), error formatting and metrics.
 *
 * A key is checked at connect and again before every operation, through the process's key cache, so
 * a revocation or a scope change applies to open sockets too; a revoked key's sockets are also closed
 * (4401) as soon as the revocation is broadcast, which ends their subscriptions.
 */
export function attachWebSocketServer(options: WebSocketOptions): { dispose(): Promise<void> } {
  const wss = new WebSocketServer({
    server: options.server,
    path: options.path,
    // ws refuses a frame over this from its header, before buffering it, and closes with 1009.
    maxPayload: MAX_REQUEST_BYTES,
    // Auth is in connectionParams, not cookies, so a foreign page gains nothing from a socket; still,
    // browsers send Origin, and refusing unknown ones keeps the allowlist meaning the same on both paths.
    verifyClient: ({ origin, req }: { origin?: string; req: http.IncomingMessage }) =>
      !origin || isSameOrigin(origin, req.headers.host) || options.allowedOrigins.includes(origin),
  });
  const rules = options.introspection ? specifiedRules : [...specifiedRules, NoSchemaIntrospectionCustomRule];
  const documents = new DocumentCache(options.schema, rules);
  const { logger } = options.services.app;

  /** Sockets past `connection_init`, by key id: a key's change re-checks them. */
  const byKey = new Map<string, Set<WebSocket>>();
  const extras = new WeakMap<WebSocket, Extra>();
  const close = (socket: WebSocket, code: number, reason: string) => {
    if (socket.readyState === WebSocket.OPEN) socket.close(code, reason.slice(0, 120));
  };
  /** The key's state now, or null (the socket is closed 4401) when it no longer authenticates. */
  const currentAuth = async (socket: WebSocket, extra: Extra): Promise<Auth | null> => {
    try {
      const auth = await authenticate(extra.presented, options.keys);
      if (auth) {
        extra.auth = auth;
        return auth;
      }
    } catch (err) {
      if (!isAppError(err)) {
        logger.error({ err }, 'WebSocket re-authentication failed');
        // The store did not answer: keep the socket, refuse this operation.
        throw err;
      }
      // An access token says why (expired, its key revoked); a key's socket says what it always said.
      if (extra.auth?.token) {
        close(socket, WS_CLOSE.UNAUTHENTICATED, `Unauthorized: ${err.message}`);
        return null;
      }
    }
    close(socket, WS_CLOSE.UNAUTHENTICATED, 'Unauthorized: the API key was revoked');
    return null;
  };
  const unsubscribeChanges = options.keys.onChange((keyId) => {
    const sockets =
      keyId === null ? [...byKey.values()].flatMap((set) => [...set]) : [...(byKey.get(keyId) ?? [])];
    for (const socket of sockets) {
      const extra = extras.get(socket);
      // The key changed and its new state is unknown: fail closed, the client reconnects.
      if (extra) {
        currentAuth(socket, extra).catch(() =>
          close(socket, WS_CLOSE.TRY_AGAIN_LATER, 'Try again later: the API key could not be checked'),
        );
      }
    }
  });

  /** An access token's socket is closed 4401 when the token expires, even if it sends nothing more. */
  const expiries = new WeakMap<WebSocket, NodeJS.Timeout>();
  const closeAtExpiry = (socket: WebSocket, expiresAt: number) => {
    // setTimeout's bound: a token lives far shorter (ACCESS_TOKEN_MAX_TTL_SECONDS ≤ 24 h).
    const delay = Math.min(Math.max(expiresAt - Date.now(), 0), 2 ** 31 - 1);
    const timer = setTimeout(
      () => close(socket, WS_CLOSE.UNAUTHENTICATED, 'Unauthorized: the access token has expired'),
      delay,
    );
    timer.unref();
    expiries.set(socket, timer);
  };

  /** Acknowledged sockets; before that, a socket may send only a small `connection_init`. */
  const acknowledged = new WeakSet<WebSocket>();
  wss.on('connection', (socket: WebSocket) => {
    // Prepended: runs before graphql-ws parses the message.
    socket.prependListener('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      if (acknowledged.has(socket)) return;
      const bytes = Array.isArray(data) ? data.reduce((n, b) => n + b.length, 0) : data.byteLength;
      if (bytes > MAX_CONNECTION_INIT_BYTES) {
        close(
          socket,
          WS_CLOSE.MESSAGE_TOO_BIG,
          `connection_init is ${bytes} bytes; at most ${MAX_CONNECTION_INIT_BYTES} before it is acknowledged`,
        );
      }
    });
    socket.once('close', () => {
      clearTimeout(expiries.get(socket));
      const keyId = extras.get(socket)?.auth?.keyId;
      if (keyId) {
        byKey.get(keyId)?.delete(socket);
        if (byKey.get(keyId)?.size === 0) byKey.delete(keyId);
      }
    });
  });

  const disposable = useServer<Record<string, unknown>, Extra>(
    {
      schema: options.schema,
      connectionInitWaitTimeout: options.connectionInitWaitTimeoutMs,
      // Each event runs with fresh loaders: a subscription's context outlives any one event.
      subscribe: (args) =>
        subscribeWithEventContexts(
          { ...args, contextValue: args.contextValue as RequestContext },
          eventContext,
        ),
      async onConnect(ctx) {
        const { socket } = ctx.extra;
        // Already being closed (an oversized connection_init): authenticate nothing.
        if (socket.readyState !== WebSocket.OPEN) return false;
        try {
          const presented = ctx.connectionParams?.authorization;
          const auth = await authenticate(presented, options.keys);
          if (auth) {
            ctx.extra.auth = auth;
            ctx.extra.presented = presented;
            extras.set(socket, ctx.extra);
            if (!byKey.has(auth.keyId)) byKey.set(auth.keyId, new Set());
            byKey.get(auth.keyId)!.add(socket);
            if (auth.token) closeAtExpiry(socket, auth.token.expiresAt);
            acknowledged.add(socket);
            return true;
          }
          close(
            socket,
            WS_CLOSE.UNAUTHENTICATED,
            'Unauthorized: connectionParams.authorization must hold an API key or an access token',
          );
        } catch (err) {
          if (isAppError(err) && err.code !== 'UNAVAILABLE') {
            close(socket, WS_CLOSE.UNAUTHENTICATED, `Unauthorized: ${err.message}`);
          } else {
            // The key could not be checked (a store outage): not the client's key's fault, so not 4401,
            // which clients read as "stop, your key is bad"; 1013 says reconnect later (README table).
            logger.warn({ err }, 'a WebSocket key could not be checked: closed 1013');
            close(socket, WS_CLOSE.TRY_AGAIN_LATER, 'Try again later: the API key could not be checked');
          }
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
        let auth: Auth | null;
        try {
          auth = await currentAuth(ctx.extra.socket, ctx.extra);
          if (auth) await options.rateLimiter.check(auth);
        } catch (err) {
          const error = isAppError(err)
            ? err
            : new UnavailableError('the API key could not be checked right now; retry', { cause: err });
          return reject([toGraphQLError(error)]);
        }
        if (!auth) return reject([toGraphQLError(new UnauthenticatedError('the API key was revoked'))]);
        const prepared = documents.prepare(payload.query, payload.operationName);
        if (prepared.errors) return reject(prepared.errors, prepared.type);
        const { document } = prepared;
        const type = getOperationAST(document, payload.operationName)?.operation;
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
        const args: ExecutionArgs = {
          schema: options.schema,
          document,
          operationName: payload.operationName,
          variableValues: payload.variables,
          contextValue: createRequestContext(options.services, auth),
        };
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

  // graphql-ws prints a socket's 'error' to the console as an internal error and closes it 4500. The
  // errors a socket emits are ws refusing a frame (too big: 1009, bad UTF-8: 1007…), after ws has
  // already closed it with that code: a client's fault, logged here at debug, the code left as it is.
  wss.on('connection', (socket: WebSocket) => {
    for (const listener of socket.listeners('error')) {
      socket.removeListener('error', listener as (...args: unknown[]) => void);
    }
    socket.on('error', (err: Error & { code?: string }) => {
      logger.debug({ err: err.message, code: err.code }, 'WebSocket message refused');
      close(socket, 1011, 'Internal error');
    });
  });

  return {
    async dispose() {
      unsubscribeChanges();
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
