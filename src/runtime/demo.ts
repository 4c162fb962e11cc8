import { type Env } from '../config/env';
import { type Logger } from '../logger';
import { createAppContext } from './context';

export const DEMO_TENANT = 'demo';

/**
 * Creates the demo tenant and its first API key on the first start (the key is printed that once;
 * only its hash is stored). Later starts find the tenant and say how to get another key.
 */
export async function bootstrapDemo(options: {
  env: Env;
  logger: Logger;
  mongodbUri: string;
  redisUrl: string;
}): Promise<{ tenantId: string; lines: string[] }> {
  const ctx = await createAppContext({ ...options, name: 'dev' });
  try {
    const existing = await ctx.store.tenants.findByName(DEMO_TENANT);
    if (existing) {
      return {
        tenantId: existing.id,
        lines: [
          `  tenant      ${DEMO_TENANT} (${existing.id}); its first key was printed when it was created.`,
          `              New key: npm run admin -- keys:create --tenant ${DEMO_TENANT}`,
        ],
      };
    }
    const tenant = await ctx.store.tenants.create(DEMO_TENANT);
    const { key } = await ctx.store.apiKeys.create(tenant.id, 'demo key', 'read_write');
    return {
      tenantId: tenant.id,
      lines: [
        `  tenant      ${DEMO_TENANT} (${tenant.id})`,
        `  API key     ${key}`,
        '              (shown once; only its hash is stored. Send it as: Authorization: Bearer <key>)',
      ],
    };
  } finally {
    await ctx.close();
  }
}
