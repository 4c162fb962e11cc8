import { EnvError, loadEnv } from '../../../src/config/env';

describe('loadEnv', () => {
  it('applies defaults', () => {
    const env = loadEnv({});
    expect(env.PORT).toBe(4000);
    expect(env.REDIS_PREFIX).toBe('cgw');
    expect(env.ALLOW_VENDOR_URL_OVERRIDES).toBe(false);
    expect(env.isProduction).toBe(false);
  });

  it('parses lists and booleans', () => {
    const env = loadEnv({ CORS_ORIGINS: 'http://a.test, http://b.test', ALLOW_VENDOR_URL_OVERRIDES: 'true' });
    expect(env.CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
    expect(env.ALLOW_VENDOR_URL_OVERRIDES).toBe(true);
  });

  it('names the bad variable and the value that arrived', () => {
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(EnvError);
    expect(() => loadEnv({ PORT: 'eighty' })).toThrow(/PORT: .*"eighty"/);
  });
});
