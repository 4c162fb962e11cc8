import type Redis from 'ioredis';

/**
 * The broadcast that keeps every gateway's API-key cache honest: whoever changes a key (revokes it,
 * changes its scope) publishes its id here, and each gateway drops what it cached for that key and
 * re-checks the sockets opened with it. Redis pub/sub is fire-and-forget, so a subscriber that was
 * disconnected clears its whole cache when it reconnects (src/server/api-key-cache.ts).
 */

export function apiKeyChangesChannel(redisPrefix: string): string {
  return `${redisPrefix}:api-keys:changed`;
}

export interface ApiKeyChange {
  keyId: string;
}

export async function publishApiKeyChange(redis: Redis, redisPrefix: string, keyId: string): Promise<void> {
  const change: ApiKeyChange = { keyId };
  await redis.publish(apiKeyChangesChannel(redisPrefix), JSON.stringify(change));
}

/** The key id of a broadcast message, or null when the message is not one of ours. */
export function parseApiKeyChange(message: string): ApiKeyChange | null {
  try {
    const parsed = JSON.parse(message) as unknown;
    const keyId = (parsed as { keyId?: unknown } | null)?.keyId;
    return typeof keyId === 'string' && keyId.length > 0 ? { keyId } : null;
  } catch {
    return null;
  }
}
