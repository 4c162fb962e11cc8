import { UnauthenticatedError } from '../errors';
import { type Auth } from '../graphql/request-context';

/** Where a bare key is looked up: the process's key cache (src/server/api-key-cache.ts) or the store. */
export interface KeyAuthenticator {
  authenticate(bareKey: string): Promise<Auth | null>;
}

/**
 * Turns what a client presented into the caller's tenant and scope.
 * - nothing presented → null (only `@Public()` fields answer);
 * - something presented that is not a live key → UNAUTHENTICATED for the whole request: a client that
 *   sent a wrong key should learn it at once, not from the first protected field.
 *
 * Accepts `Bearer <key>` (the HTTP header form) and the bare key (what people paste into
 * connectionParams).
 *
 * Nothing presented and a bad key end the same way on every path that needs a key (HTTP 401,
 * WebSocket close 4401; README "Errors"); only `@Public()` fields tell them apart.
 */
export async function authenticate(presented: unknown, keys: KeyAuthenticator): Promise<Auth | null> {
  if (presented === undefined || presented === null || presented === '') return null;
  if (typeof presented !== 'string') {
    throw new UnauthenticatedError(
      `the API key must be a string like "Bearer cgw_…"; got a ${typeof presented}`,
    );
  }
  const match = /^(?:Bearer\s+)?(\S+)$/i.exec(presented.trim());
  if (!match) throw new UnauthenticatedError('the Authorization header must be "Bearer <API key>"');
  const found = await keys.authenticate(match[1]!);
  if (!found) throw new UnauthenticatedError('the API key is unknown or revoked');
  return found;
}
