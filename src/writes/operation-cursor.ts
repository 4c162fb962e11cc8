import { type KeyRing } from '../security/credentials-cipher';
import { PositionCursorSeal } from '../security/position-cursor';
import { type OperationListPosition } from '../store/repositories/write-operations.repo';
import { type WriteOperationFilter } from './write-service.types';

/**
 * Cursors of `writeOperations` (src/security/position-cursor.ts): the (acceptedAt, id) a page ended
 * at, sealed under its own purpose and bound to the tenant and the filter. A forged cursor, another
 * tenant's, another filter's or a list cursor is BAD_USER_INPUT.
 */

export const MAX_OPERATION_CURSOR_CHARS = 512;

const FOREIGN =
  'after: this cursor does not belong to this list of write operations — it was issued for another ' +
  'filter, was altered, or was sealed with a key this deployment no longer has; start again without after';

export class OperationCursorSeal {
  private readonly cursors: PositionCursorSeal;

  constructor(keyRing: KeyRing) {
    this.cursors = new PositionCursorSeal(keyRing, {
      purpose: 'write-operation-cursor',
      format: 'w1',
      maxChars: MAX_OPERATION_CURSOR_CHARS,
      foreign: FOREIGN,
    });
  }

  seal(position: OperationListPosition, tenantId: string, filter: WriteOperationFilter): string {
    return this.cursors.seal({ at: position.acceptedAt, id: position.id }, binding(tenantId, filter));
  }

  open(cursor: string, tenantId: string, filter: WriteOperationFilter): OperationListPosition {
    const { at, id } = this.cursors.open(cursor, binding(tenantId, filter));
    return { acceptedAt: at, id };
  }
}

function binding(tenantId: string, filter: WriteOperationFilter): unknown[] {
  return [
    tenantId,
    filter.connectionId ?? null,
    filter.status ?? null,
    filter.since ? filter.since.getTime() : null,
  ];
}
