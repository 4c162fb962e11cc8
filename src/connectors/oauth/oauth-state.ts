import crypto from 'node:crypto';
import { type RedisClient } from '../../redis/client';
import { BadUserInputError } from '../../errors';
import { redisKey } from '../../redis/keys';

/**
 * The OAuth `state` parameter: a random nonce plus an HMAC over nonce and CRM, with the flow's data
 * (tenant, connection to re-authorize, vendor hosts) kept server-side in Redis under the nonce.
 * - signed: a forged or altered state fails before Redis is asked;
 * - bound to the tenant: the tenant comes from Redis, never from the callback's query;
 * - single use: GETDEL consumes it atomically, so a replayed callback finds nothing;
 * - expiring: the Redis key has a TTL.
 */

export interface OAuthFlow {
  tenantId: string;
  /** The API key that started the flow: the callback checks it is still live and read_write. */
  keyId?: string;
  crm: string;
  /** Set when re-authorizing an existing connection (e.g. after NEEDS_REAUTH). */
  connectionId?: string;
  displayName?: string;
  /** Per-connection vendor URL overrides, already checked by the SSRF guard. */
  vendorUrls: Record<string, string>;
  createdAt: number;
}

export interface OAuthStateStoreOptions {
  redis: RedisClient;
  prefix: string;
  /** HMAC key, ≥ 32 bytes, the same on every gateway process. */
  secret: Buffer;
  /** @defaultValue 600000 (10 min: time for a human to log in at the vendor) */
  ttlMs?: number;
}

export class OAuthStateStore {
  constructor(private readonly options: OAuthStateStoreOptions) {
    if (options.secret.length < 32)
      throw new Error(`the OAuth state secret must be ≥ 32 bytes, got ${options.secret.length}`);
  }

  async issue(flow: Omit<OAuthFlow, 'createdAt'>): Promise<string> {
    const nonce = crypto.randomBytes(24).toString('base64url');
    const record: OAuthFlow = { ...flow, createdAt: Date.now() };
    await this.options.redis.set(
      this.key(nonce),
      JSON.stringify(record),
      'PX',
      this.options.ttlMs ?? 600_000,
    );
    return `${nonce}.${this.sign(nonce, flow.crm)}`;
  }

  /** Verifies and consumes a state for `crm`; throws BAD_USER_INPUT saying why it is refused. */
  async consume(state: unknown, crm: string): Promise<OAuthFlow> {
    if (typeof state !== 'string' || !/^[A-Za-z0-9_-]{32}\.[A-Za-z0-9_-]{43}$/.test(state)) {
      throw new BadUserInputError('the OAuth state is missing or malformed; start the connection again');
    }
    const [nonce, signature] = state.split('.');
    const expected = Buffer.from(this.sign(nonce, crm));
    if (!crypto.timingSafeEqual(expected, Buffer.from(signature))) {
      throw new BadUserInputError(
        'the OAuth state signature does not match (altered, or issued for another CRM)',
      );
    }
    const raw = await this.options.redis.getdel(this.key(nonce));
    if (!raw)
      throw new BadUserInputError(
        'the OAuth state has expired or was already used; start the connection again',
      );
    return JSON.parse(raw) as OAuthFlow;
  }

  private sign(nonce: string, crm: string): string {
    return crypto.createHmac('sha256', this.options.secret).update(`${nonce}:${crm}`).digest('base64url');
  }

  private key(nonce: string): string {
    return redisKey(this.options.prefix, 'oauth', 'state', nonce);
  }
}
