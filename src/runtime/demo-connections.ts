import { crmDeclaration } from '../config/crms';
import { hasConnector } from '../connectors/registry';
import { type RunningSandboxes } from '../sandbox';
import { type Store } from '../store';

export interface DemoConnection {
  crm: string;
  connectionId: string;
  change: string;
}

/**
 * Connects the demo tenant to every sandbox that has a connector, through the product's own OAuth
 * web-server flow on the gateway (`/oauth/:crm/start` → the sandbox's auto-approving authorize page →
 * `/oauth/:crm/callback`), so the demo exercises exactly what a user's browser would.
 *
 * Sandboxes keep their data in memory, so every start re-authorizes the existing demo connections
 * (same connection ids) instead of creating new ones. The API key used for it exists only for the
 * duration of this call.
 */
export async function connectDemoSandboxes(options: {
  store: Store;
  tenantId: string;
  gatewayUrl: string;
  sandboxes: RunningSandboxes;
}): Promise<DemoConnection[]> {
  const { store, tenantId, gatewayUrl } = options;
  const { key, info } = await store.apiKeys.create(tenantId, 'npm start: connect sandboxes', 'read_write');
  try {
    const existing = await store.connections.listForTenant(tenantId);
    const results: DemoConnection[] = [];
    for (const sandbox of Object.values(options.sandboxes.sandboxes)) {
      if (!hasConnector(sandbox.vendor)) continue;
      const decl = crmDeclaration(sandbox.vendor);
      // A CRM whose declaration has no fixed API host learns it from the token response, so it takes only
      // the auth URL; the others are pointed at the sandbox for both.
      const vendorUrls: Record<string, string> = { auth: sandbox.baseUrl };
      if (decl.hosts.api !== null) vendorUrls.api = sandbox.baseUrl;
      const previous = existing.find(
        (c) => c.crm === decl.kind && c.displayName === `${decl.displayName} sandbox`,
      );
      if (previous) await store.connections.update(previous.id, { vendorUrls });

      const start = new URL(`${gatewayUrl}/oauth/${decl.kind}/start`);
      start.searchParams.set('format', 'json');
      start.searchParams.set('displayName', `${decl.displayName} sandbox`);
      start.searchParams.set('authUrl', vendorUrls.auth);
      if (vendorUrls.api) start.searchParams.set('apiUrl', vendorUrls.api);
      if (previous) start.searchParams.set('connectionId', previous.id);
      const { authorizeUrl } = (await expectJson(
        await fetch(start, { headers: { authorization: `Bearer ${key}` } }),
        `${decl.displayName} OAuth start`,
      )) as { authorizeUrl: string };
      // The sandbox approves at once and redirects to our callback with a code.
      const approved = await fetch(authorizeUrl, { redirect: 'manual' });
      const callback = approved.headers.get('location');
      if (!callback)
        throw new Error(`${decl.displayName} sandbox did not redirect back (HTTP ${approved.status})`);
      const done = (await expectJson(await fetch(callback), `${decl.displayName} OAuth callback`)) as {
        connectionId: string;
        change: string;
      };
      results.push({ crm: decl.kind, connectionId: done.connectionId, change: done.change });
    }
    return results;
  } finally {
    await store.apiKeys.revoke(info.id);
  }
}

async function expectJson(res: Response, what: string): Promise<unknown> {
  const body = await res.text();
  if (!res.ok) throw new Error(`${what} failed: HTTP ${res.status} ${body.slice(0, 300)}`);
  return JSON.parse(body) as unknown;
}
