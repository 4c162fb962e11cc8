import { type CrmObject } from '../connectors/types';
import { BadUserInputError } from '../errors';
import { type KeyRing } from '../security/credentials-cipher';
import { SealedTokens } from '../security/sealed-tokens';

/**
 * Sealed list cursors (src/security/sealed-tokens.ts does the sealing).
 *
 * A cursor holds where a list resumes (a connector's own paging state, which may name vendor ids), so
 * a client must neither read nor forge it. Each is sealed with AES-256-GCM under a key derived from the
 * credentials key ring for this purpose alone (HKDF, `list-cursor`), and bound as additional
 * authenticated data to the tenant, connection, object and filter it was issued for. Opening checks all
 * of that before anything else happens: a tampered cursor, one of another list, connection or tenant, an
 * older format, or one sealed under a key the ring no longer holds is BAD_USER_INPUT, and nothing of it
 * reaches a connector or a vendor.
 *
 * Nothing server-side backs a cursor, so it stays valid for as long as the client keeps it and pages on
 * any gateway of the deployment (they share CREDENTIALS_KEYS). Its life ends only when the key that
 * sealed it is dropped from the ring (README, "Rotating the credentials key").
 */

/** Where a list resumes. */
export interface ListPosition {
  /** The connector's cursor of the vendor page to read; null: the list's first page. */
  v: string | null;
  /**
   * Records of that page already returned. 0 when `v` resumes right after the last record returned (a
   * connector with per-record cursors, or a page read to its end).
   */
  s: number;
  /** The page size `v` was read with: a page re-read to skip `s` records must be read at that size. */
  p: number;
}

/** What a cursor is valid for. `filter` is the list's filter fingerprint (`'none'` unfiltered). */
export interface CursorBinding {
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  filter: string;
}

/** Largest vendor page a position may name: the largest any connector reads (2,000). */
const MAX_POSITION_PAGE = 2000;
/** Longest connector cursor a position may carry. */
const MAX_VENDOR_CURSOR_CHARS = 2048;
/** Longest cursor string opened at all (and the GraphQL argument's bound): refused before any work. */
export const MAX_CURSOR_CHARS = 2048;

const FORMAT = 'c1';
const PURPOSE = 'list-cursor';

const FOREIGN_CURSOR_MESSAGE =
  'after: this cursor does not belong to this list — it was issued for another connection, object or ' +
  'filter, was altered, or was sealed with a key this deployment no longer has; start again without after';

export class ListCursorSeal {
  private readonly tokens: SealedTokens;

  constructor(keyRing: KeyRing) {
    this.tokens = new SealedTokens(keyRing, { purpose: PURPOSE, format: FORMAT, maxChars: MAX_CURSOR_CHARS });
  }

  seal(position: ListPosition, binding: CursorBinding): string {
    const plain = Buffer.from(JSON.stringify([position.v, position.s, position.p]), 'utf8');
    return this.tokens.seal(plain, aad(binding));
  }

  /** The position a cursor names; BAD_USER_INPUT for anything but a cursor sealed for `binding`. */
  open(cursor: string, binding: CursorBinding): ListPosition {
    const position = this.tryOpen(cursor, binding);
    if (!position) throw new BadUserInputError(FOREIGN_CURSOR_MESSAGE);
    return position;
  }

  private tryOpen(cursor: string, binding: CursorBinding): ListPosition | null {
    const plain = this.tokens.open(cursor, aad(binding));
    if (!plain) return null;
    let value: unknown;
    try {
      value = JSON.parse(plain.toString('utf8'));
    } catch {
      return null;
    }
    // Authentic means we sealed it; the shape is checked all the same, so a bug that sealed a bad
    // position cannot send it on to a connector.
    if (!Array.isArray(value) || value.length !== 3) return null;
    const [v, s, p] = value as unknown[];
    const validCursor = v === null || (typeof v === 'string' && v.length <= MAX_VENDOR_CURSOR_CHARS);
    const validPage = Number.isInteger(p) && (p as number) >= 1 && (p as number) <= MAX_POSITION_PAGE;
    const validSkip = Number.isInteger(s) && (s as number) >= 0 && (s as number) <= MAX_POSITION_PAGE;
    return validCursor && validPage && validSkip
      ? { v: v as string | null, s: s as number, p: p as number }
      : null;
  }
}

function aad(b: CursorBinding): Buffer {
  return Buffer.from(JSON.stringify([PURPOSE, FORMAT, b.tenantId, b.connectionId, b.object, b.filter]));
}

const seals = new WeakMap<KeyRing, ListCursorSeal>();

/** The process's seal for a key ring: its derived keys are computed once, not per request. */
export function listCursorSeal(keyRing: KeyRing): ListCursorSeal {
  let seal = seals.get(keyRing);
  if (!seal) {
    seal = new ListCursorSeal(keyRing);
    seals.set(keyRing, seal);
  }
  return seal;
}
