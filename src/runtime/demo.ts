import { type Store } from '../store';

export const DEMO_TENANT = 'demo';

/**
 * Creates the demo tenant and its first API key on the first start (the key is printed that once;
 * only its hash is stored). Later starts find the tenant and say how to get another key.
 */
export async function bootstrapDemo(store: Store): Promise<{ tenantId: string; lines: string[] }> {
  const existing = await store.tenants.findByName(DEMO_TENANT);
  if (existing) {
    return {
      tenantId: existing.id,
      lines: [
        `  tenant      ${DEMO_TENANT} (${existing.id}); its first key was printed when it was created.`,
        `              New key: npm run admin -- keys:create --tenant ${DEMO_TENANT}`,
      ],
    };
  }
  const tenant = await store.tenants.create(DEMO_TENANT);
  const { key } = await store.apiKeys.create(tenant.id, 'demo key', 'read_write');
  return {
    tenantId: tenant.id,
    lines: [
      `  tenant      ${DEMO_TENANT} (${tenant.id})`,
      `  API key     ${key}`,
      '              (shown once; only its hash is stored. Send it as: Authorization: Bearer <key>)',
    ],
  };
}
