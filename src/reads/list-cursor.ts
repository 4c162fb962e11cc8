import crypto from 'node:crypto';
import { type CrmObject } from '../connectors/types';
import { BadUserInputError } from '../errors';
import { type KeyRing } from '../security/credentials-cipher';

/**
 * Sealed list cursors: the only cursors the gateway hands to clients.
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
const IV_BYTES = 12;
const TAG_BYTES = 16;

const FOREIGN_CURSOR_MESSAGE =
  'after: this cursor does not belong to this list — it was issued for another connection, object or ' +
  'filter, was altered, or was sealed with a key this deployment no longer has; start again without after';

export class ListCursorSeal {
  private readonly keys = new Map<string, Buffer | null>();

  constructor(private readonly keyRing: KeyRing) {}

  seal(position: ListPosition, binding: CursorBinding): string {
    const kid = this.keyRing.currentKid;
    const iv = crypto.randomBytes(IV_BYTES);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.key(kid)!, iv);
    cipher.setAAD(aad(binding));
    const plain = Buffer.from(JSON.stringify([position.v, position.s, position.p]), 'utf8');
    const sealed = Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${FORMAT}.${kid}.${sealed.toString('base64url')}`;
  }

  /** The position a cursor names; BAD_USER_INPUT for anything but a cursor sealed for `binding`. */
  open(cursor: string, binding: CursorBinding): ListPosition {
    const position = cursor.length <= MAX_CURSOR_CHARS ? this.tryOpen(cursor, binding) : null;
    if (!position) throw new BadUserInputError(FOREIGN_CURSOR_MESSAGE);
    return position;
  }

  private tryOpen(cursor: string, binding: CursorBinding): ListPosition | null {
    const parts = cursor.split('.');
    if (parts.length !== 3 || parts[0] !== FORMAT) return null;
    const key = this.key(parts[1]!);
    const sealed = Buffer.from(parts[2]!, 'base64url');
    // Only the canonical encoding: Node's decoder skips stray characters and trailing bits, so another
    // spelling of the same bytes would otherwise open too.
    if (!key || sealed.length < IV_BYTES + TAG_BYTES + 2 || sealed.toString('base64url') !== parts[2])
      return null;
    let value: unknown;
    try {
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
      decipher.setAAD(aad(binding));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      const plain = Buffer.concat([
        decipher.update(sealed.subarray(IV_BYTES, sealed.length - TAG_BYTES)),
        decipher.final(),
      ]);
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

  /** The cursor key derived from ring key `kid`, memoised (null: the ring has no such key). */
  private key(kid: string): Buffer | null {
    if (!this.keys.has(kid)) {
      if (!/^[A-Za-z0-9_-]{1,32}$/.test(kid)) return null;
      this.keys.set(kid, this.keyRing.deriveKeyOf(kid, PURPOSE));
    }
    return this.keys.get(kid) ?? null;
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
