import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * Key names whose value never reaches a log line, at any depth: the names we use and the names vendors
 * use (a token response or an HTTP error carrying one, logged by mistake). Matching ignores case, `_`
 * and `-`, so `refresh_token`, `refreshToken` and `Refresh-Token` are one entry.
 */
export const SECRET_KEYS = [
  'credentials',
  'secret',
  'password',
  'apiKey',
  'xApiKey',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'clientSecret',
  'authorization',
  'cookie',
  'setCookie',
] as const;

export const REDACTED = '[redacted]';

const normalizeKey = (key: string): string => key.replace(/[-_]/g, '').toLowerCase();
const SECRET_KEY_SET: ReadonlySet<string> = new Set(SECRET_KEYS.map(normalizeKey));

export function isSecretKey(key: string): boolean {
  return SECRET_KEY_SET.has(normalizeKey(key));
}

/**
 * Returns `value` with every secret-named key replaced by {@link REDACTED}, at any depth.
 *
 * Why not pino's `redact` paths: they name fixed depths (`x`, `*.x`), and secrets arrive deeper — an
 * HTTP error's `err.response.data.access_token`, a nested settings object. Copy-on-write keeps the
 * common case (nothing to scrub) allocation-free: an unchanged subtree is returned as is, so only the
 * objects on the path to a secret are copied and the caller's objects are never mutated.
 *
 * Errors become pino's serialized form first (message, stack and their own fields, `cause` included)
 * so their fields are scrubbed too; objects with `toJSON` (Date, ObjectId, mongoose documents) are
 * scrubbed in the form JSON would print.
 */
export function scrubSecrets(value: unknown, ancestors: Set<object> = new Set()): unknown {
  if (value === null || typeof value !== 'object') return value;
  let source: unknown = value;
  if (value instanceof Error) source = pino.stdSerializers.err(value);
  else if (typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    source = (value as { toJSON(): unknown }).toJSON();
    if (source === null || typeof source !== 'object') return source;
  }
  const obj = source as object;
  // A cycle would recurse forever, and pointing back at the unscrubbed original would print its secrets.
  if (ancestors.has(obj)) return '[Circular]';
  ancestors.add(obj);
  try {
    if (Array.isArray(obj)) {
      let copy: unknown[] | undefined;
      for (let i = 0; i < obj.length; i++) {
        const item: unknown = obj[i];
        const scrubbed = scrubSecrets(item, ancestors);
        if (scrubbed !== item) (copy ??= obj.slice())[i] = scrubbed;
      }
      return copy ?? (source === value ? value : obj);
    }
    let copy: Record<string, unknown> | undefined;
    const record = obj as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      const scrubbed = isSecretKey(key) && item !== undefined ? REDACTED : scrubSecrets(item, ancestors);
      if (scrubbed !== item) (copy ??= { ...record })[key] = scrubbed;
    }
    return copy ?? (source === value ? value : obj);
  } finally {
    ancestors.delete(obj);
  }
}

function scrubRecord(record: Record<string, unknown>): Record<string, unknown> {
  return scrubSecrets(record) as Record<string, unknown>;
}

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go (default stdout); tests pass a capture stream. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const logger = pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      // Runs only for lines that are written (a disabled level costs nothing), before serializers,
      // on the merged object.
      formatters: { log: scrubRecord },
      // The merged object's `err` is already scrubbed (a plain object, returned as is); an Error that
      // reaches here some other way is serialized and scrubbed.
      serializers: { err: scrubSecrets },
      base: { pid: process.pid },
    },
    options.destination,
  );
  // pino formats a child's bindings once, without `formatters.bindings` (it resets that formatter for
  // children), so bindings are scrubbed here. Children inherit this method through the prototype.
  const child = logger.child;
  logger.child = function scrubbedChild(this: Logger, bindings, childOptions) {
    return child.call(this, scrubRecord(bindings), childOptions);
  } as Logger['child'];
  return logger;
}

export type { Logger };
