import { randomBytes } from 'node:crypto';

export type TokenKind = 'access' | 'refresh' | 'code';

export interface TokenRecord {
  value: string;
  kind: TokenKind;
  orgId: string;
  /** Sandbox-clock issue time (epoch ms). */
  issuedAt: number;
  /** Sandbox-clock expiry (epoch ms); null = never. */
  expiresAt: number | null;
  revoked: boolean;
  /** The refresh token an access token came from: revoking the parent revokes it too. */
  parent?: string;
  /** Vendor data (client id, redirect URI, scopes, user id…). */
  data: Record<string, string>;
}

export type TokenCheck =
  | { ok: true; token: TokenRecord }
  | { ok: false; reason: 'unknown' | 'expired' | 'revoked' | 'wrongKind'; token?: TokenRecord };

export interface IssueOptions {
  /** Lifetime in ms; null = never expires. */
  ttlMs: number | null;
  /** Token text before the random part, e.g. an org id and `!`. */
  prefix?: string;
  parent?: string;
  data?: Record<string, string>;
}

/**
 * Every token a sandbox server has issued, across its orgs, so a bearer token alone identifies its org.
 * Expired and revoked tokens are kept (until their org is dropped) so the vendor can tell "expired"
 * from "never issued" and still attribute the request to the right org's log and faults.
 */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();

  issue(orgId: string, kind: TokenKind, now: number, options: IssueOptions): TokenRecord {
    const value = `${options.prefix ?? ''}${randomBytes(24).toString('base64url')}`;
    const token: TokenRecord = {
      value,
      kind,
      orgId,
      issuedAt: now,
      expiresAt: options.ttlMs === null ? null : now + options.ttlMs,
      revoked: false,
      parent: options.parent,
      data: options.data ?? {},
    };
    this.tokens.set(value, token);
    return token;
  }

  /** Registers a fixed, well-known token (demo credentials printed by `npm run sandbox`). */
  put(token: TokenRecord): void {
    this.tokens.set(token.value, token);
  }

  find(value: string): TokenRecord | undefined {
    return this.tokens.get(value);
  }

  check(value: string, kind: TokenKind, now: number): TokenCheck {
    const token = this.tokens.get(value);
    if (!token) return { ok: false, reason: 'unknown' };
    if (token.kind !== kind) return { ok: false, reason: 'wrongKind', token };
    if (token.revoked) return { ok: false, reason: 'revoked', token };
    if (token.expiresAt !== null && token.expiresAt <= now) return { ok: false, reason: 'expired', token };
    return { ok: true, token };
  }

  /**
   * Revokes a token and, for a refresh token, every access token issued from it unless `issued` is
   * false (a vendor whose revocation leaves issued access tokens to expire on their own).
   */
  revoke(value: string, options: { issued?: boolean } = {}): boolean {
    const token = this.tokens.get(value);
    if (!token) return false;
    token.revoked = true;
    if (token.kind === 'refresh' && options.issued !== false) {
      for (const child of this.tokens.values()) if (child.parent === value) child.revoked = true;
    }
    return true;
  }

  /** Single-use tokens (authorization codes) are deleted once redeemed. */
  consume(value: string): void {
    this.tokens.delete(value);
  }

  /** Makes every live token of a kind in one org expire now. */
  expireAll(orgId: string, kind: TokenKind, now: number): number {
    let n = 0;
    for (const token of this.tokens.values()) {
      if (
        token.orgId === orgId &&
        token.kind === kind &&
        (token.expiresAt === null || token.expiresAt > now)
      ) {
        token.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  revokeAll(orgId: string, kind: TokenKind): number {
    let n = 0;
    for (const token of this.tokens.values()) {
      if (token.orgId === orgId && token.kind === kind && !token.revoked) {
        this.revoke(token.value);
        n++;
      }
    }
    return n;
  }

  dropOrg(orgId: string): void {
    for (const [value, token] of this.tokens) if (token.orgId === orgId) this.tokens.delete(value);
  }
}
