import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import {
  ApolloServerPluginCacheControlDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express, { type ErrorRequestHandler, type Express, type RequestHandler } from 'express';
import {
  type AppError,
  type ErrorCode,
  isAppError,
  RequestRateLimitedError,
  UnavailableError,
} from '../errors';
import { createGatewayPubSub } from '../events/pubsub';
import { createRequestContext, type GatewayServices, type RequestContext } from '../graphql/request-context';
import { buildGatewaySchema } from '../graphql/schema';
import { metricsRegistry } from '../metrics';
import { type AppContext } from '../runtime/context';
import { CRM_KINDS, crmDeclaration } from '../connectors/registry';
import { accessTokenKeysOf } from '../security/access-tokens/signing-keys';
import { ApiKeyCache } from './api-key-cache';
import { operationChecksPlugin, observabilityPlugin } from './apollo-plugins';
import { authenticate, CredentialAuthenticator } from './auth';
import { corsAllowlist } from './cors';
import { contextCreationError, formatGatewayError, toGraphQLError } from './format-error';
import { consoleRouter } from './console';
import { graphiqlRouter } from './graphiql';
import { healthRouter } from './health';
import { oauthRouter } from './oauth';
import { limitsFromEnv, MAX_REQUEST_BYTES, type OperationLimits } from './limits';
import { sampleOperationStoreCommands } from './operation-metrics';
import { type MetricsExposure, metricsExposureFromEnv, startMetricsListener } from './metrics-endpoint';
import { RequestRateLimiter, type RequestRateLimits, requestRateLimitsFromEnv } from './request-rate-limit';
import { listRoutes, type RouteInfo } from './routes';

export type { RouteInfo } from './routes';
import { attachWebSocketServer } from './websocket';
import { webhookRouter } from './webhooks';

/** Where the API lives, for HTTP and WebSocket alike. */
export const GRAPHQL_PATH = '/graphql';

export interface GatewayServer {
  server: http.Server;
  url: string;
  /** Where `/metrics` answers: the public URL, the internal listener's, or null when not served. */
  metricsUrl: string | null;
  /** Every non-GraphQL route of the public listener (a test walks them all with a read key). */
  routes: readonly RouteInfo[];
  close(): Promise<void>;
}

export interface GatewayServerOptions {
  host: string;
  /** `0` picks a free port (tests). */
  port: number;
  /** Overrides of the env's GRAPHQL_MAX_* limits. */
  limits?: Partial<OperationLimits>;
  /** @defaultValue ENABLE_INTROSPECTION, else on outside production */
  introspection?: boolean;
  /** @defaultValue ENABLE_GRAPHIQL, else on outside production */
  graphiql?: boolean;
  /** @defaultValue ENABLE_CONSOLE, else on outside production */
  console?: boolean;
  /** @defaultValue CORS_ORIGINS */
  corsOrigins?: readonly string[];
  /** Overrides of the env's `*_REQUESTS_PER_*` limits (0 turns one off). */
  requestRateLimits?: Partial<RequestRateLimits>;
  /** @defaultValue METRICS_PORT/METRICS_HOST, else on the public port outside production, else off */
  metrics?: MetricsExposure;
  /** @defaultValue WS_INIT_TIMEOUT_MS */
  connectionInitWaitTimeoutMs?: number;
}

/** The HTTP status of an authentication or rate-limit failure met before execution (README "Errors"). */
function requestFailure(err: AppError): { status: number; headers?: Record<string, string> } {
  if (err instanceof RequestRateLimitedError) {
    return { status: 429, headers: { 'retry-after': String(Math.ceil(err.retryAfterMs / 1000)) } };
  }
  if (err.code === 'UNAUTHENTICATED') return { status: 401, headers: { 'www-authenticate': 'Bearer' } };
  return { status: 400 };
}

/**
 * A body express.json refused (malformed JSON, over the size limit, an unknown charset) answered as a
 * GraphQL error, not Express's HTML error page: a client of /graphql reads every answer as JSON. Its
 * errors carry a 4xx `status` and a `type`; anything else is not ours to answer here.
 */
const bodyParserErrors: ErrorRequestHandler = (err: unknown, _req, res, next) => {
  const e = err as { type?: unknown; status?: unknown; message?: unknown } | null;
  if (typeof e?.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) {
    next(err);
    return;
  }
  const code: ErrorCode = 'BAD_USER_INPUT';
  const message =
    e.type === 'entity.parse.failed'
      ? `expected a JSON request body ({"query": "…", "variables": {…}}), got invalid JSON: ${String(e.message)}`
      : `the request body was refused: ${String(e.message)}`;
  res.status(e.status).json({ errors: [{ message, extensions: { code } }] });
};

/**
 * The `Idempotency-Key` header as sent. Repeated headers arrive joined by ", " (Node's rule for
 * unknown headers); the write layer (src/graphql/writes/idempotency.ts) checks the value itself.
 */
function idempotencyKeyHeader(value: string | string[] | undefined): string | null {
  if (value === undefined) return null;
  return Array.isArray(value) ? value.join(', ') : value;
}

/**
 * `handlers` for POST, in an app that sends no ETag: nothing revalidates the answer to a POST (express
 * never finds one fresh), yet every answer was hashed for one — a measurable part of a small read.
 * Other methods fall through to the next handlers (a GET query keeps its ETag). Settings not set here
 * are the parent app's (express inherits them on mount).
 */
function withoutPostEtags(handlers: (RequestHandler | ErrorRequestHandler)[]): Express {
  const posts = express();
  posts.disable('x-powered-by');
  posts.set('etag', false);
  posts.post('/', ...handlers);
  return posts;
}

/**
 * The gateway's public port: `/graphql` over HTTP (Apollo Server) and WebSocket (graphql-ws), the
 * offline GraphiQL page, the operator console (`/console`), `/healthz`, `/readyz`, the OAuth routes, and `/metrics` unless it has a
 * listener of its own (or is off: production without METRICS_PORT).
 */
export async function startGatewayServer(
  ctx: AppContext,
  options: GatewayServerOptions,
): Promise<GatewayServer> {
  const { env } = ctx;
  const limits: OperationLimits = { ...limitsFromEnv(env), ...options.limits };
  const introspection = options.introspection ?? env.ENABLE_INTROSPECTION ?? !env.isProduction;
  const graphiql = options.graphiql ?? env.ENABLE_GRAPHIQL ?? !env.isProduction;
  const corsOrigins = options.corsOrigins ?? env.CORS_ORIGINS;

  const schema = await buildGatewaySchema();
  const graphiqlRoutes = graphiql ? graphiqlRouter({ endpoint: GRAPHQL_PATH }) : null;
  const consoleOn = options.console ?? env.ENABLE_CONSOLE ?? !env.isProduction;
  const consoleRoutes = consoleOn
    ? consoleRouter({
        endpoint: GRAPHQL_PATH,
        crms: CRM_KINDS.map((kind) => {
          const decl = crmDeclaration(kind);
          const oauth = Boolean(decl.oauth) && decl.authKinds.includes('oauth2_code');
          return {
            kind,
            displayName: decl.displayName,
            authKinds: decl.authKinds,
            oauth: oauth && ctx.crm.oauthApp(kind) !== undefined,
          };
        }),
      })
    : null;
  const pubsub = createGatewayPubSub({ redis: ctx.redis, redisPrefix: ctx.redisPrefix, logger: ctx.logger });
  const services: GatewayServices = { app: ctx, pubsub };
  if (!ctx.store.changes)
    throw new Error('the gateway caches keys by the store change feed: open its store with `changes`');
  const apiKeys = new ApiKeyCache({ keys: ctx.store.apiKeys, changes: ctx.store.changes });
  // GraphQL (HTTP and WebSocket) takes API keys and access tokens; the OAuth routes only keys.
  const keys = new CredentialAuthenticator({
    keys: apiKeys,
    tokenKeys: accessTokenKeysOf(ctx.keyRing),
    identityProviders: { lookup: ctx.store.identityProviders, changes: ctx.store.changes },
  });
  const rateLimiter = new RequestRateLimiter({
    redis: ctx.redis,
    redisPrefix: ctx.redisPrefix,
    logger: ctx.logger,
    limits: { ...requestRateLimitsFromEnv(env), ...options.requestRateLimits },
  });
  const metrics = options.metrics ?? metricsExposureFromEnv(env);

  const app = express();
  app.disable('x-powered-by');
  const server = http.createServer(app);

  const ws = attachWebSocketServer({
    server,
    path: GRAPHQL_PATH,
    schema,
    services,
    limits,
    introspection,
    allowedOrigins: corsOrigins,
    keys,
    rateLimiter,
    connectionInitWaitTimeoutMs: options.connectionInitWaitTimeoutMs ?? env.WS_INIT_TIMEOUT_MS,
  });

  const apollo = new ApolloServer<RequestContext>({
    schema,
    introspection,
    logger: ctx.logger,
    includeStacktraceInErrorResponses: false,
    // Our process owns SIGINT/SIGTERM (src/runtime/shutdown.ts, which calls close() below). Apollo's own
    // handlers would stop it a second time and then re-send the signal to the process: the "second
    // signal: exiting now" that cut every drain short.
    stopOnTerminationSignals: false,
    persistedQueries: false,
    formatError: formatGatewayError,
    plugins: [
      ApolloServerPluginDrainHttpServer({ httpServer: server }),
      { serverWillStart: async () => ({ drainServer: () => ws.dispose() }) },
      ApolloServerPluginLandingPageDisabled(),
      // We set no cache hints; the default cache-control plugin would still run on every field.
      ApolloServerPluginCacheControlDisabled(),
      operationChecksPlugin(limits),
      observabilityPlugin(),
    ],
  });
  await apollo.start();

  app.use(corsAllowlist(corsOrigins));
  // GraphiQL answers a browser's GET /graphql, so it comes first; then the API itself, ahead of the
  // other routes, so an operation does not walk past their matchers on the hot path.
  if (graphiqlRoutes) app.use(graphiqlRoutes);
  const graphqlHandlers: (RequestHandler | ErrorRequestHandler)[] = [
    express.json({ limit: MAX_REQUEST_BYTES }),
    bodyParserErrors,
    // After the body parser: its stream callbacks would leave the tally's async context.
    sampleOperationStoreCommands(env.STORE_COMMANDS_SAMPLE_EVERY),
    expressMiddleware(apollo, {
      context: async ({ req }) => {
        try {
          const auth = await authenticate(req.headers.authorization, keys);
          if (auth) await rateLimiter.check(auth);
          return createRequestContext(services, auth, {
            idempotencyKey: idempotencyKeyHeader(req.headers['idempotency-key']),
          });
        } catch (err) {
          if (isAppError(err)) {
            const { status, headers } = requestFailure(err);
            throw toGraphQLError(err, status, headers);
          }
          // A store outage is UNAVAILABLE (logged once, as the operator's); anything else too, logged as a bug.
          const refused = contextCreationError(err, ctx.logger);
          if (refused !== err) throw refused;
          ctx.logger.error({ err }, 'could not authenticate a request');
          throw toGraphQLError(
            new UnavailableError('the API key could not be checked right now; retry', { cause: err }),
            503,
          );
        }
      },
    }),
  ];
  app.use(GRAPHQL_PATH, withoutPostEtags(graphqlHandlers), ...graphqlHandlers);
  if (consoleRoutes) app.use(consoleRoutes);
  const drain = { draining: false };
  app.use(healthRouter(ctx, drain));
  app.use(oauthRouter(ctx, pubsub, { keys: apiKeys, rateLimiter }));
  // Vendors' webhook deliveries: no API key; authenticated by the vendor's signature (src/server/webhooks.ts).
  app.use(webhookRouter(ctx));
  if (metrics === 'public') {
    app.get('/metrics', async (_req, res) => {
      res.type(metricsRegistry.contentType).send(await metricsRegistry.metrics());
    });
  }

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, options.host, () => resolve());
    });
  } catch (err) {
    await apollo.stop();
    await pubsub.close();
    await keys.close();
    throw err;
  }
  const { port } = server.address() as AddressInfo;
  const url = `http://${options.host}:${port}`;
  let metricsListener: Awaited<ReturnType<typeof startMetricsListener>> | null = null;
  if (typeof metrics === 'object') {
    try {
      metricsListener = await startMetricsListener(metrics);
    } catch (err) {
      await apollo.stop();
      await pubsub.close();
      await keys.close();
      throw err;
    }
  }
  return {
    server,
    url,
    metricsUrl: metrics === 'public' ? `${url}/metrics` : (metricsListener?.url ?? null),
    routes: listRoutes(app),
    async close() {
      // Out of the load balancer's rotation first (readyz 503) while still serving what it sends until
      // its health check notices; only then does the listener close.
      drain.draining = true;
      if (env.DRAIN_DELAY_MS > 0) await new Promise((r) => setTimeout(r, env.DRAIN_DELAY_MS));
      // Apollo's drain plugin stops the HTTP server and lets in-flight requests finish; the WebSocket
      // server is disposed through its drainServer hook (open sockets are closed 1001).
      await apollo.stop();
      await metricsListener?.close();
      await pubsub.close();
      await keys.close();
    },
  };
}
