/**
 * A benchmark sends every request with one key: the per-key and per-tenant request limits would measure
 * themselves, not the gateway. Spread into a bench gateway's environment.
 */
export const REQUEST_LIMITS_OFF = {
  KEY_REQUESTS_PER_SECOND: '0',
  KEY_REQUESTS_PER_MINUTE: '0',
  TENANT_REQUESTS_PER_MINUTE: '0',
} as const;
