import path from 'node:path';
import { z } from 'zod';

/**
 * The only module that reads `process.env`. Everything else receives a typed {@link Env}.
 *
 * Parsing is strict about shape (a port must be a number, a key must be 32 bytes) so that a typo in
 * a deployment fails at start with a message naming the variable, not later in a request.
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

const oauthAppsSchema = z.record(
  z.string(),
  z.object({ clientId: z.string().min(1), clientSecret: z.string().min(1) }).strict(),
);

const defaultVendorUrlsSchema = z.record(
  z.string(),
  z.object({ auth: z.url(), api: z.url().optional() }).strict(),
);

/** STORE_TIMEOUT_MS's default, also what `openStore` uses when a caller names no timeout. */
export const DEFAULT_STORE_TIMEOUT_MS = 1500;

/** Exported so a test can hold the README's variable table to it. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Root of everything the project keeps on disk (embedded stores, generated keys). */
  DATA_DIR: z.string().default('.data'),

  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  /** Public base URL of the gateway as vendors see it (webhook signatures cover the full URL). */
  PUBLIC_URL: z.string().url().optional(),

  /** External MongoDB; when unset, `npm start` runs the embedded FerretDB. */
  MONGODB_URI: z.string().optional(),
  /** External Redis; when unset, `npm start` runs an embedded redis-server. */
  REDIS_URL: z.string().optional(),
  /** Prefix of every Redis key and Bull queue of this deployment. */
  REDIS_PREFIX: z.string().default('cgw'),

  /**
   * Credential encryption keys: `kid:base64key[,kid:base64key…]`, the first is used for new writes,
   * the others only decrypt (rotation). Each key is 32 random bytes.
   */
  CREDENTIALS_KEYS: z.string().optional(),

  CORS_ORIGINS: csv.default([]),
  ENABLE_INTROSPECTION: bool.optional(),
  ENABLE_GRAPHIQL: bool.optional(),
  /** The operator console on /console (docs/console.md); unset: on outside production. */
  ENABLE_CONSOLE: bool.optional(),
  /** Operation limits, checked before any resolver runs (src/server/limits.ts). */
  GRAPHQL_MAX_DEPTH: z.coerce.number().int().min(1).default(10),
  GRAPHQL_MAX_ALIASES: z.coerce.number().int().min(0).default(30),
  GRAPHQL_MAX_COMPLEXITY: z.coerce.number().int().min(1).default(1000),
  /** Largest `first`/`last` a paginated field accepts. */
  GRAPHQL_MAX_PAGE_SIZE: z.coerce.number().int().min(1).default(100),
  /**
   * Deadline of one GraphQL operation: every vendor call it makes is aborted when it passes (budget
   * waits and retry sleeps too), and the operation answers UNAVAILABLE naming what was late.
   */
  OPERATION_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(15_000),

  /** Requests (HTTP, WebSocket operations, OAuth starts) per API key and per tenant; 0 turns one off. */
  KEY_REQUESTS_PER_SECOND: z.coerce.number().int().min(0).default(50),
  KEY_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).default(1200),
  TENANT_REQUESTS_PER_MINUTE: z.coerce.number().int().min(0).default(3000),
  /** How long a WebSocket may stay open before its `connection_init` is acknowledged (then 4408). */
  WS_INIT_TIMEOUT_MS: z.coerce.number().int().min(100).default(3000),
  /**
   * One HTTP GraphQL operation in this many has its MongoDB commands counted
   * (`cgw_store_commands_per_operation`): counting carries a context through every promise of the
   * process while it runs (src/store/command-count.ts), which is not free on the hot path.
   */
  STORE_COMMANDS_SAMPLE_EVERY: z.coerce.number().int().min(1).max(1_000_000).default(100),
  /**
   * `/metrics` on its own listener (METRICS_HOST:METRICS_PORT) and never on the public port. Unset:
   * on the public port outside production, not served at all in production.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  METRICS_HOST: z.string().default('127.0.0.1'),
  /**
   * A worker's `/metrics` (write engine, sync, store and queue metrics of that process) on its own
   * listener at METRICS_HOST:WORKER_METRICS_PORT (0: a free port). Unset: a worker serves none.
   */
  WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),

  /** SSRF guard: vendor URL overrides are refused unless the operator turns them on… */
  ALLOW_VENDOR_URL_OVERRIDES: bool.default(false),
  /** …and then only for these origins (e.g. `http://127.0.0.1:*`). */
  VENDOR_URL_ALLOWLIST: csv.default([]),

  /**
   * Our OAuth apps at the vendors, as JSON: `{"<crm>":{"clientId":"…","clientSecret":"…"},…}`.
   * A CRM without an entry cannot be connected or refreshed through OAuth (token-based ones still work).
   */
  CRM_OAUTH_APPS: z
    .string()
    .default('{}')
    .transform((raw, ctx) => {
      try {
        const parsed = oauthAppsSchema.safeParse(JSON.parse(raw));
        if (parsed.success) return parsed.data;
        ctx.addIssue({
          code: 'custom',
          message: `expected {"<crm>":{"clientId","clientSecret"}}: ${parsed.error.message}`,
        });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
      }
      return z.NEVER;
    }),

  /**
   * Where `/oauth/<crm>/start` sends a new connection when the request names no vendor URLs, as JSON
   * `{"<crm>":{"auth":"…","api":"…"}}` (the demo: its sandboxes). Checked by the SSRF guard like any
   * override, so it takes effect only where ALLOW_VENDOR_URL_OVERRIDES and the allowlist admit it.
   */
  CRM_DEFAULT_VENDOR_URLS: z
    .string()
    .default('{}')
    .transform((raw, ctx) => {
      try {
        const parsed = defaultVendorUrlsSchema.safeParse(JSON.parse(raw));
        if (parsed.success) return parsed.data;
        ctx.addIssue({
          code: 'custom',
          message: `expected {"<crm>":{"auth":"<url>","api":"<url>"}}: ${parsed.error.message}`,
        });
      } catch {
        ctx.addIssue({ code: 'custom', message: 'is not valid JSON' });
      }
      return z.NEVER;
    }),

  /** `npm start`: first port of the vendor sandboxes (one per vendor, in registry order); 0 = free ports. */
  SANDBOX_BASE_PORT: z.coerce.number().int().min(0).max(65535).default(4100),

  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Write flushes one worker process runs at once (the `writes` queue; `system` keeps WORKER_CONCURRENCY). */
  WRITE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(8),
  /** Real attempts of a write (429s and budget refusals do not count) before it ends DEAD. */
  WRITE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(8),
  /**
   * How long a write waits for its connection to be usable again (NEEDS_REAUTH, DISABLED) before it
   * ends DEAD `CONNECTION_UNAVAILABLE`. Default 72 h.
   */
  WRITE_MAX_WAIT_MS: z.coerce.number().int().min(1000).default(259_200_000),
  /**
   * The longest one write flush keeps its group's lock (10 min by default, above a Bulk API job's wait).
   * A flush stuck past it lets the lock expire, and the reconciler recovers its writes.
   */
  WRITE_FLUSH_MAX_MS: z.coerce.number().int().min(60_000).default(600_000),
  /**
   * How long an idempotency key of a write is kept (and a replay answered with the first request's
   * operations); at least 24 h. Pruned by a repeatable job of the `system` queue.
   */
  IDEMPOTENCY_KEY_RETENTION_HOURS: z.coerce
    .number()
    .int()
    .min(24)
    .max(24 * 365)
    .default(24),
  /**
   * How long a finished write operation (SUCCEEDED, FAILED, DEAD, CANCELLED) stays readable by
   * `writeOperation(id)` / `writeOperations`, in days after it finished; default 30. Pruned hourly by a
   * repeatable job of the `system` queue. Never shorter than IDEMPOTENCY_KEY_RETENTION_HOURS (checked
   * below): a replay of a kept key must find its operations, or it would make them again.
   */
  WRITE_OPERATION_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(30),
  /**
   * How long change history is kept, in days (docs/sync.md "Lifecycle and privacy"). Unset: kept for
   * ever. Pruned hourly by a repeatable job of the `system` queue.
   */
  CHANGE_HISTORY_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).optional(),
  /**
   * How long the audit log keeps an event, in days (docs/audit.md); default 400, so a yearly review
   * finds the whole year. Pruned hourly by a repeatable job of the `system` queue.
   */
  AUDIT_RETENTION_DAYS: z.coerce.number().int().min(1).max(36_500).default(400),
  /**
   * How often each connection is polled for changes (docs/sync.md "Polling and backfill"): a poll is
   * due this long after the connection's last complete one. Webhooks bring most changes sooner; the poll
   * is what closes their gaps, and the only sync of a CRM without webhooks.
   */
  SYNC_POLL_EVERY_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Pages one backfill job runs before it hands over to the next (each page one vendor call and one
   * ingest): bounds how long a backfill holds a worker slot while webhook and poll jobs wait.
   */
  SYNC_BACKFILL_CHUNK_PAGES: z.coerce.number().int().min(1).max(1000).default(10),
  /** Records per backfill page; unset: the connector's own best size for a full pull. */
  SYNC_BACKFILL_PAGE_SIZE: z.coerce.number().int().min(1).max(2000).optional(),
  SHUTDOWN_TIMEOUT_MS: z.coerce.number().int().min(100).default(10000),
  /**
   * A stopping gateway first answers `/readyz` 503 ("draining") and keeps serving for this long, so a
   * load balancer's health check takes it out of rotation before its listener closes (set it to the
   * balancer's check interval × failures to mark down). 0: the listener closes at once.
   */
  DRAIN_DELAY_MS: z.coerce.number().int().min(0).max(120_000).default(0),
  /**
   * How long a MongoDB or Redis command may wait for an unreachable store before the request fails
   * with UNAVAILABLE (MongoDB server selection and buffering, the Redis command timeout).
   */
  STORE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60000).default(DEFAULT_STORE_TIMEOUT_MS),
  /**
   * How long a process keeps trusting a cached API key, connection, token or mapping while its
   * subscription to store changes is down (Redis unreachable): the longest a revoked key or a deleted
   * connection can still be served during an outage. While the broadcast is live, changes apply at once.
   */
  CACHE_OUTAGE_MAX_AGE_MS: z.coerce.number().int().min(0).max(60000).default(1000),
  /**
   * The longest lifetime `createAccessToken` grants (and its default). Short, because a browser holds
   * the token: its page refreshes it from the backend before it expires.
   */
  ACCESS_TOKEN_MAX_TTL_SECONDS: z.coerce.number().int().min(30).max(86400).default(900),
});

export type Env = z.infer<typeof envSchema> & {
  /** DATA_DIR made absolute. */
  dataDir: string;
  isProduction: boolean;
  /** PUBLIC_URL, else the gateway's own address: the base of OAuth callbacks and webhook URLs. */
  publicUrl: string;
};

export class EnvError extends Error {
  override name = 'EnvError';
}

/** Parses an environment (default: this process's). Throws {@link EnvError} naming each bad variable. */
export function loadEnv(source: NodeJS.ProcessEnv = process.env): Env {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map(
      (i) => `  ${i.path.join('.')}: ${i.message} (got ${JSON.stringify(source[String(i.path[0])])})`,
    );
    throw new EnvError(`invalid environment:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.WRITE_OPERATION_RETENTION_DAYS * 24 < e.IDEMPOTENCY_KEY_RETENTION_HOURS) {
    throw new EnvError(
      `invalid environment:\n  WRITE_OPERATION_RETENTION_DAYS: must keep finished writes at least as long as ` +
        `IDEMPOTENCY_KEY_RETENTION_HOURS keeps their keys (${e.IDEMPOTENCY_KEY_RETENTION_HOURS} h) ` +
        `(got ${e.WRITE_OPERATION_RETENTION_DAYS} days)`,
    );
  }
  if (e.DRAIN_DELAY_MS >= e.SHUTDOWN_TIMEOUT_MS) {
    // The shutdown timer would end the process while it still waits for the balancer: no drain at all.
    throw new EnvError(
      `invalid environment:\n  DRAIN_DELAY_MS: must be shorter than SHUTDOWN_TIMEOUT_MS ` +
        `(${e.SHUTDOWN_TIMEOUT_MS} ms), which includes it (got ${e.DRAIN_DELAY_MS} ms)`,
    );
  }
  return {
    ...e,
    dataDir: path.resolve(e.DATA_DIR),
    isProduction: e.NODE_ENV === 'production',
    publicUrl: (e.PUBLIC_URL ?? `http://${e.HOST.includes(':') ? `[${e.HOST}]` : e.HOST}:${e.PORT}`).replace(
      /\/+$/,
      '',
    ),
  };
}

let cached: Env | undefined;
/** The process-wide environment, parsed once. */
export function env(): Env {
  cached ??= loadEnv();
  return cached;
}

/**
 * The environment a child process of ours should get: this process's, with `overrides` applied.
 * Used by the orchestrator to hand store URIs to the gateway and worker it starts.
 */
export function childProcessEnv(overrides: Record<string, string | undefined>): NodeJS.ProcessEnv {
  return { ...process.env, ...overrides };
}
