import { BadUserInputError } from '../errors';
import { type KeyRing } from './credentials-cipher';
import { SealedTokens, type SealedTokenOptions } from './sealed-tokens';

/** Where a newest-first page ended: the last node's instant and id (the tie-break). */
export interface TimePosition {
  at: Date;
  id: string;
}

/**
 * Cursors of the gateway's newest-first lists of its own records (write operations, audit events): the
 * (instant, id) a page ended at, sealed (src/security/sealed-tokens.ts) under the list's purpose and
 * bound to what the caller says the cursor is for — the tenant and the filter. A forged cursor, another
 * tenant's, another filter's or another list's is BAD_USER_INPUT with `foreign` as its message.
 */
export class PositionCursorSeal {
  private readonly tokens: SealedTokens;

  constructor(
    keyRing: KeyRing,
    private readonly options: SealedTokenOptions & { foreign: string },
  ) {
    this.tokens = new SealedTokens(keyRing, options);
  }

  seal(position: TimePosition, binding: readonly unknown[]): string {
    const plain = Buffer.from(JSON.stringify([position.at.getTime(), position.id]), 'utf8');
    return this.tokens.seal(plain, this.aad(binding));
  }

  open(cursor: string, binding: readonly unknown[]): TimePosition {
    const plain = this.tokens.open(cursor, this.aad(binding));
    let value: unknown;
    try {
      value = plain ? JSON.parse(plain.toString('utf8')) : null;
    } catch {
      value = null;
    }
    if (!Array.isArray(value) || value.length !== 2) throw new BadUserInputError(this.options.foreign);
    const [ms, id] = value as unknown[];
    if (!Number.isSafeInteger(ms) || typeof id !== 'string')
      throw new BadUserInputError(this.options.foreign);
    return { at: new Date(ms as number), id };
  }

  private aad(binding: readonly unknown[]): Buffer {
    return Buffer.from(JSON.stringify([this.options.purpose, this.options.format, ...binding]));
  }
}
