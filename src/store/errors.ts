import { ConflictError } from '../errors';

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
