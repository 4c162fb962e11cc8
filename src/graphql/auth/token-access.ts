import { Extensions } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';
import { ForbiddenError, NotFoundError } from '../../errors';
import { type Auth } from '../request-context';

/**
 * What an access token (Auth.token) may reach, checked at the few places connections and objects are
 * resolved, so resolvers stay unaware of tokens:
 * - connections: the request's connection loader (src/graphql/loaders.ts), which every read, metadata
 *   and mapping path goes through, the `connections` list, the write items and write operations
 *   (src/graphql/writes/), and the events of both subscriptions. A connection the token does not list
 *   is NOT_FOUND with the message another tenant's id gets: a token learns nothing about the rest.
 * - objects: the record reads (src/graphql/records/record-reads.ts), metadata, mappings and write items.
 * - root fields: a token may call only those marked {@link TokenAccess} (authorize-root-fields.ts);
 *   everything else — managing connections and mappings, minting tokens — needs the API key itself.
 * An API key (no `token`) passes every check here.
 */

/** Field extension read by authorize-root-fields.ts. */
export const TOKEN_ACCESS_EXTENSION = 'tokenAccess';

/**
 * Marks a root field an access token may call; its connections and objects are then narrowed by the
 * checks of this file. Closed by default: a new field is for API keys until someone decides otherwise.
 */
export function TokenAccess(): ReturnType<typeof Extensions> {
  return Extensions({ [TOKEN_ACCESS_EXTENSION]: true });
}

/** The message a connection of another tenant gets (the connection loader's). */
export function noConnection(id: string): NotFoundError {
  return new NotFoundError(`no connection with id ${JSON.stringify(id)}`);
}

export function mayUseConnection(auth: Auth | null, connectionId: string): boolean {
  return !auth?.token || auth.token.connectionIds.has(connectionId);
}

export function assertConnection(auth: Auth | null, connectionId: string): void {
  if (!mayUseConnection(auth, connectionId)) throw noConnection(connectionId);
}

export function assertObject(auth: Auth | null, object: CrmObject): void {
  if (auth?.token && !auth.token.objects.has(object)) {
    throw new ForbiddenError(
      `this access token may reach ${[...auth.token.objects].join(' and ')} records only; ${object} is not one of them`,
    );
  }
}

/** `items` without those of connections the token does not list (all of them for an API key). */
export function onlyPermitted<T extends { connectionId: string } | null>(auth: Auth | null, items: T[]): T[] {
  if (!auth?.token) return items;
  return items.filter((item) => item === null || auth.token!.connectionIds.has(item.connectionId));
}

/** `source` without the items of connections the token does not list. Keeps `return()` for cleanup. */
export function permittedEvents<T extends { connectionId: string }>(
  auth: Auth,
  source: AsyncIterable<T>,
): AsyncIterable<T> {
  if (!auth.token) return source;
  const allowed = auth.token.connectionIds;
  return {
    [Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      return {
        async next() {
          for (;;) {
            const step = await it.next();
            if (step.done || allowed.has(step.value.connectionId)) return step;
          }
        },
        return: async () => (await it.return?.()) ?? { done: true, value: undefined },
        throw: async (err: unknown) => (await it.throw?.(err)) ?? { done: true, value: undefined },
      };
    },
  };
}

/** Field extension read by authorize-root-fields.ts: a mutation a `read` key may call. */
export const READ_KEY_MUTATION_EXTENSION = 'readKeyMutation';

/**
 * Marks a mutation that a `read` key may call too (minting READ access tokens): it writes nothing a
 * read key could not already read, and the resolver checks what it is asked to grant.
 */
export function ReadKeyMayCall(): ReturnType<typeof Extensions> {
  return Extensions({ [READ_KEY_MUTATION_EXTENSION]: true });
}
