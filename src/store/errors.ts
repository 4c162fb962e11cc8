import { mongo } from 'mongoose';
import { ConflictError, UnavailableError } from '../errors';

/** MongoDB's (and FerretDB's) duplicate-key code. */
const DUPLICATE_KEY = 11000;

/**
 * Runs a write and turns a unique-index violation into a typed {@link ConflictError} whose message
 * says what collided, so callers never see a raw driver error.
 */
export async function mapDuplicateKey<T>(what: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (err) {
    if (isDuplicateKeyError(err)) throw new ConflictError(`${what} already exists`, { cause: err });
    throw err;
  }
}

export function isDuplicateKeyError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === DUPLICATE_KEY;
}

/** A write error as the driver reports it: a plain object, or a WriteError wrapper (code under `err`). */
type ReportedWriteError = { code?: number; index?: number; err?: { code?: number; index?: number } };

/** The write errors a bulk error lists (none for one that is not about single documents). */
function writeErrorsOf(err: unknown): { code?: number; index?: number }[] {
  const listed = (err as { writeErrors?: ReportedWriteError | ReportedWriteError[] }).writeErrors ?? [];
  return (Array.isArray(listed) ? listed : [listed]).map((e) => ({
    code: e.code ?? e.err?.code,
    index: e.index ?? e.err?.index,
  }));
}

/**
 * The positions an unordered insert of `size` documents refused as duplicates, when that is ALL it
 * refused; else null, and the caller throws the error on. A bulk error that lists no write error is
 * not "nothing refused": the driver wraps a lost connection in a MongoBulkWriteError with no write
 * errors and nothing inserted, which must never read as "every document stored" (issue 23's store
 * restarts caught accepted writes lost that way). A plain duplicate-key error can only be about the one
 * document of a single-document insert.
 */
export function duplicatePositions(err: unknown, size: number): number[] | null {
  if (err instanceof mongo.MongoBulkWriteError) {
    const errors = writeErrorsOf(err);
    if (errors.length === 0) return null;
    return errors.every((e) => e.code === DUPLICATE_KEY && e.index !== undefined)
      ? errors.map((e) => e.index!)
      : null;
  }
  return size === 1 && isDuplicateKeyError(err) ? [0] : null;
}

/** What the driver's connection failures say, as it copies them into a bulk error's message. */
const NETWORK_FAILURE =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|connection .*closed|Server selection timed out/i;

/**
 * MongoDB driver errors that mean "no server could be reached or the connection broke", as opposed to
 * a server that answered with an error. Matched by class where the driver exports one, by name where it
 * does not (the pool's own errors).
 */
const MONGO_UNREACHABLE: readonly (abstract new (...args: never[]) => Error)[] = [
  mongo.MongoServerSelectionError,
  mongo.MongoNetworkError, // MongoNetworkTimeoutError too
  mongo.MongoNotConnectedError,
  mongo.MongoTopologyClosedError,
  mongo.MongoServerClosedError,
  mongo.MongoOperationTimeoutError,
];
const MONGO_UNREACHABLE_NAMES = new Set(['MongoPoolClearedError', 'MongoPoolClosedError']);

/**
 * ioredis's failures of a command that never got an answer: the retry limit while reconnecting, the
 * command timeout, a client with no connection. It raises them as plain errors, so by message.
 */
const REDIS_UNREACHABLE =
  /^(Reached the max retries per request limit|Command timed out|Connection is closed\.|Stream isn't writeable)/;

/**
 * Whether `err` (or what it wraps, through `cause`) says that MongoDB or Redis could not be reached in
 * time — a store outage, not a bug: the request that met it answers UNAVAILABLE (retryable).
 */
export function isStoreUnavailableError(err: unknown): boolean {
  for (let e = err, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth += 1) {
    if (MONGO_UNREACHABLE.some((type) => e instanceof type) || MONGO_UNREACHABLE_NAMES.has(e.name)) {
      return true;
    }
    // A bulk write that never reached a server: the driver's connection error, rewrapped.
    if (
      e instanceof mongo.MongoBulkWriteError &&
      writeErrorsOf(e).length === 0 &&
      NETWORK_FAILURE.test(e.message)
    ) {
      return true;
    }
    // mongoose's own: an operation queued while the connection was down, for longer than bufferTimeoutMS.
    if (e.name === 'MongooseError' && / buffering timed out after /.test(e.message)) return true;
    if (e.name === 'MaxRetriesPerRequestError' || REDIS_UNREACHABLE.test(e.message)) return true;
  }
  return false;
}

/**
 * What a client is told when a store is down: that it is a dependency outage worth retrying, without
 * the driver's details (hosts, topology), which go to the server log with the original as `cause`.
 */
export function storeUnavailable(err: unknown): UnavailableError {
  return new UnavailableError(
    'a data store of this server (MongoDB or Redis) is not reachable right now; retry shortly',
    { cause: err },
  );
}
