import { BadUserInputError } from '../errors';
import { type KeyRing } from '../security/credentials-cipher';
import { SealedTokens } from '../security/sealed-tokens';

/**
 * Cursors of the change history (`syncEvents(after:)`, `changeHistory(after:)`): a tenant change number,
 * sealed (src/security/sealed-tokens.ts) under its own purpose and bound to the tenant and the list it
 * came from, so a forged cursor, another tenant's or another list's is BAD_USER_INPUT — never a read.
 */

const PURPOSE = 'change-cursor';
const FORMAT = 'c1';
export const MAX_CHANGE_CURSOR_CHARS = 512;

const FOREIGN =
  'after: this cursor was not issued for this list of changes — it belongs to another list or tenant, ' +
  'was altered, or was sealed with a key this deployment no longer has; start again without after';

export class ChangeCursorSeal {
  private readonly tokens: SealedTokens;

  constructor(keyRing: KeyRing) {
    this.tokens = new SealedTokens(keyRing, {
      purpose: PURPOSE,
      format: FORMAT,
      maxChars: MAX_CHANGE_CURSOR_CHARS,
    });
  }

  /** @param list what the cursor may be used with (`sync` for syncEvents; a record for changeHistory) */
  seal(seq: number, tenantId: string, list: string): string {
    return this.tokens.seal(Buffer.from(JSON.stringify([seq]), 'utf8'), aad(tenantId, list));
  }

  open(cursor: string, tenantId: string, list: string): number {
    const plain = this.tokens.open(cursor, aad(tenantId, list));
    let value: unknown;
    try {
      value = plain ? JSON.parse(plain.toString('utf8')) : null;
    } catch {
      value = null;
    }
    if (
      !Array.isArray(value) ||
      value.length !== 1 ||
      !Number.isSafeInteger(value[0]) ||
      (value[0] as number) < 0
    ) {
      throw new BadUserInputError(FOREIGN);
    }
    return value[0] as number;
  }
}

function aad(tenantId: string, list: string): Buffer {
  return Buffer.from(JSON.stringify([PURPOSE, FORMAT, tenantId, list]));
}
