import { type OrgOptions, type SandboxServer } from './core';
import { sandboxRegistry } from './registry';

export { sandboxRegistry } from './registry';
export type { SandboxFactory } from './registry';

export interface StartSandboxesOptions {
  /** Vendors to start. @defaultValue every registered vendor */
  vendors?: string[];
  /** @defaultValue 127.0.0.1 */
  host?: string;
  /**
   * First port: vendors get basePort, basePort+1… in registry order; a taken port falls back to a free
   * one. 0 = every vendor on a free port. @defaultValue 0
   */
  basePort?: number;
  /** Fixed port per vendor, overriding basePort. */
  ports?: Record<string, number>;
  /** Orgs per vendor. @defaultValue one org `default` with the vendor's default counts */
  orgs?: Record<string, OrgOptions[]>;
  /** Seed for orgs that do not name one. @defaultValue 42 */
  seed?: number;
}

export interface RunningSandbox {
  vendor: string;
  baseUrl: string;
  server: SandboxServer<unknown, unknown>;
  /** Demo credentials per org id, as `GET /__sandbox/orgs/:org/credentials` returns them. */
  credentials: Record<string, Record<string, unknown>>;
}

export interface RunningSandboxes {
  sandboxes: Record<string, RunningSandbox>;
  close(): Promise<void>;
}

function isAddressInUse(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: string }).code === 'EADDRINUSE';
}

/** Starts the registered vendor sandboxes in this process (`npm run sandbox`, `npm start`). */
export async function startAllSandboxes(options: StartSandboxesOptions = {}): Promise<RunningSandboxes> {
  const names = options.vendors ?? Object.keys(sandboxRegistry);
  const host = options.host ?? '127.0.0.1';
  const started: { close(): Promise<void> }[] = [];
  const sandboxes: Record<string, RunningSandbox> = {};
  try {
    for (const [i, vendor] of names.entries()) {
      const factory = sandboxRegistry[vendor];
      if (!factory)
        throw new Error(
          `no sandbox registered for "${vendor}"; registered: ${Object.keys(sandboxRegistry).join(', ')}`,
        );
      const server = factory({ orgs: options.orgs?.[vendor], defaultSeed: options.seed });
      const wanted = options.ports?.[vendor] ?? (options.basePort ? options.basePort + i : 0);
      let listening;
      try {
        listening = await server.listen({ host, port: wanted });
      } catch (err) {
        if (!isAddressInUse(err) || wanted === 0) throw err;
        listening = await server.listen({ host, port: 0 });
      }
      started.push(listening);
      const credentials: Record<string, Record<string, unknown>> = {};
      for (const org of server.orgs.values())
        credentials[org.id] = server.vendor.credentials(org, listening.baseUrl);
      sandboxes[vendor] = { vendor, baseUrl: listening.baseUrl, server, credentials };
    }
  } catch (err) {
    await Promise.allSettled(started.map((s) => s.close()));
    throw err;
  }
  return {
    sandboxes,
    close: async () => {
      await Promise.allSettled(started.map((s) => s.close()));
    },
  };
}
