import { BadUserInputError, NotFoundError } from '../../errors';
import { type WriteOperation } from '../../writes/write-operation.types';
import { operationIdsOf, resolveRecordRef } from '../../writes/record-refs';
import { type WriteItem } from '../../writes/write-service.types';
import { type Auth, type RequestContext } from '../request-context';
import { writeServiceOf } from '../writes/write-service-of';
import { assertConnection, assertObject } from './token-access';

/**
 * Whether an access token may write `items`: every object it names, and the connection of every
 * record it names — given as a connection id, inside a record id, or through a pending CREATE's `wop_…`
 * id (read here in one batch, as the write service will). A reference that does not resolve is left to
 * the write service, which refuses it with the same problem for a key. An API key passes.
 */
export async function assertWritable(
  ctx: RequestContext,
  auth: Auth,
  items: readonly WriteItem[],
): Promise<void> {
  if (!auth.token) return;
  const refs: { id: string; object: WriteItem['object'] }[] = [];
  for (const item of items) {
    assertObject(auth, item.object);
    if (item.connectionId !== undefined) assertConnection(auth, item.connectionId);
    if (item.id !== undefined) refs.push({ id: item.id, object: item.object });
    // LINK/UNLINK: `id` is the contact, `targetId` the deal.
    if (item.targetId !== undefined) {
      assertObject(auth, 'deal');
      refs.push({ id: item.targetId, object: 'deal' });
    }
  }
  const opIds = operationIdsOf(refs.map((r) => r.id));
  const operations = new Map<string, WriteOperation>();
  if (opIds.length > 0) {
    const read = await writeServiceOf(ctx).getMany(auth.tenantId, opIds);
    for (const op of read) if (op) operations.set(op.id, op);
  }
  for (const { id, object } of refs) {
    const resolved = resolveRecordRef(id, object, operations);
    if (resolved.ok) assertConnection(auth, resolved.ref.connectionId);
  }
}

/** `op` when the caller may see it; null for an operation of a connection the token does not list. */
export function permittedOperation(auth: Auth, op: WriteOperation | null): WriteOperation | null {
  return op && (!auth.token || auth.token.connectionIds.has(op.connectionId)) ? op : null;
}

/**
 * Before retrying or cancelling `id` with an access token: NOT_FOUND, worded as the write service
 * words an unknown id, when the operation belongs to a connection the token does not list.
 */
export async function assertOperationReachable(ctx: RequestContext, auth: Auth, id: string): Promise<void> {
  if (!auth.token) return;
  const op = await writeServiceOf(ctx).get(auth.tenantId, id);
  if (op && !permittedOperation(auth, op)) {
    throw new NotFoundError(`no write operation with id ${JSON.stringify(id.slice(0, 80))}`);
  }
}

/** A connection id no connection has: what {@link permittedListConnection} answers for "nothing to list". */
export const NO_CONNECTION = '';

/**
 * The `writeOperations` connection filter for the caller. A key's filter is used as given. A token
 * lists one connection at a time: its only connection when it names none (BAD_USER_INPUT when it has
 * several), and {@link NO_CONNECTION} (an empty page, as for another tenant's id) for one it does not list.
 */
export function permittedListConnection(
  auth: Auth,
  connectionId: string | null | undefined,
): string | undefined {
  if (!auth.token) return connectionId ?? undefined;
  if (connectionId == null) {
    const [only, ...others] = auth.token.connectionIds;
    if (only !== undefined && others.length === 0) return only;
    throw new BadUserInputError(
      'this access token lists several connections: writeOperations needs filter.connectionId',
    );
  }
  return auth.token.connectionIds.has(connectionId) ? connectionId : NO_CONNECTION;
}
