import { BadUserInputError } from '../errors';
import { type KeyRing } from '../security/credentials-cipher';
import { SealedTokens } from '../security/sealed-tokens';
import { type OperationListPosition } from '../store/repositories/write-operations.repo';
import { type WriteOperationFilter } from './write-service.types';

/**
 * Cursors of `writeOperations` (src/security/sealed-tokens.ts): the (acceptedAt, id) a page ended
 * at, sealed under its own purpose and bound to the tenant and the filter. A forged cursor, another
 * tenant's, another filter's or a list cursor is BAD_USER_INPUT.
 */

const PURPOSE = 'write-operation-cursor';
const FORMAT = 'w1';
export const MAX_OPERATION_CURSOR_CHARS = 512;

const FOREIGN =
  'after: this cursor does not belong to this list of write operations — it was issued for another ' +
  'filter, was altered, or was sealed with a key this deployment no longer has; start again without after';

export class OperationCursorSeal {
  private readonly tokens: SealedTokens;

  constructor(keyRing: KeyRing) {
    this.tokens = new SealedTokens(keyRing, {
      purpose: PURPOSE,
      format: FORMAT,
      maxChars: MAX_OPERATION_CURSOR_CHARS,
    });
  }

  seal(position: OperationListPosition, tenantId: string, filter: WriteOperationFilter): string {
    const plain = Buffer.from(JSON.stringify([position.acceptedAt.getTime(), position.id]), 'utf8');
    return this.tokens.seal(plain, aad(tenantId, filter));
  }

  open(cursor: string, tenantId: string, filter: WriteOperationFilter): OperationListPosition {
    const plain = this.tokens.open(cursor, aad(tenantId, filter));
    let value: unknown;
    try {
      value = plain ? JSON.parse(plain.toString('utf8')) : null;
    } catch {
      value = null;
    }
    if (!Array.isArray(value) || value.length !== 2) throw new BadUserInputError(FOREIGN);
    const [ms, id] = value as unknown[];
    if (!Number.isSafeInteger(ms) || typeof id !== 'string') throw new BadUserInputError(FOREIGN);
    return { acceptedAt: new Date(ms as number), id };
  }
}

function aad(tenantId: string, filter: WriteOperationFilter): Buffer {
  return Buffer.from(
    JSON.stringify([
      PURPOSE,
      FORMAT,
      tenantId,
      filter.connectionId ?? null,
      filter.status ?? null,
      filter.since ? filter.since.getTime() : null,
    ]),
  );
}
