import { loadEnv } from '../../src/config/env';
import { type AppContext } from '../../src/runtime/context';
import { type ListeningSandbox } from '../../src/sandbox/core';
import { createZohoSandbox, type ZohoOrg, type ZohoServer } from '../../src/sandbox/zoho';
import { type ConnectionView } from '../../src/store/repositories/connections.repo';
import { createTestContext } from './context';

/**
 * What the notification channel tests share: a full context whose vendor URL policy admits the local
 * Zoho sandbox, the sandbox (one EU org) listening, and a Zoho connection on it with the org's demo token
 * (it never expires, so no refresh runs).
 */
export interface ZohoChannelStack {
  ctx: AppContext;
  zoho: ZohoServer;
  live: ListeningSandbox;
  org: ZohoOrg;
  close(): Promise<void>;
}

export async function startZohoChannelStack(
  options: { publicUrl?: string; contacts?: number } = {},
): Promise<ZohoChannelStack> {
  const ctx = await createTestContext({
    env: loadEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      ...(options.publicUrl ? { PUBLIC_URL: options.publicUrl } : {}),
      ALLOW_VENDOR_URL_OVERRIDES: 'true',
      VENDOR_URL_ALLOWLIST: 'http://127.0.0.1:*',
    }),
  });
  const zoho = createZohoSandbox({
    orgs: [{ id: 'default', seed: 5, counts: { Contacts: options.contacts ?? 3, Deals: 0 } }],
  });
  const live = await zoho.listen();
  return {
    ctx,
    zoho,
    live,
    org: zoho.org(),
    async close() {
      zoho.org().clock.setOffset(0);
      await live.close();
      await ctx.store.conn.dropDatabase().catch(() => undefined);
      await ctx.close();
    },
  };
}

/** A Zoho connection of a new tenant on the stack's org, as the OAuth callback stores one. */
export async function zohoChannelConnection(
  stack: ZohoChannelStack,
  tenant: string,
): Promise<ConnectionView> {
  const { ctx, live, org } = stack;
  const api = `${live.baseUrl}/dc/eu/api`;
  return ctx.store.connections.create({
    tenantId: (await ctx.store.tenants.create(tenant)).id,
    crm: 'zoho',
    displayName: 'Zoho with a channel',
    credentials: {
      authKind: 'oauth2_code',
      accessToken: org.state.demoToken,
      expiresAt: null,
      apiBaseUrl: api,
    },
    externalAccountId: org.state.orgId,
    vendorUrls: { auth: `${live.baseUrl}/dc/eu/accounts`, api },
  });
}
