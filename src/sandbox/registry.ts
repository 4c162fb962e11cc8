import { type SandboxServer, type SandboxServerOptions } from './core';
import { createDynamicsSandbox } from './dynamics';
import { createHubSpotSandbox } from './hubspot';
import { createPipedriveSandbox } from './pipedrive';
import { createSalesforceSandbox } from './salesforce';
import { createZohoSandbox } from './zoho';

/** Builds one vendor's sandbox server (not yet listening). */
export type SandboxFactory = (options?: SandboxServerOptions) => SandboxServer<unknown, unknown>;

/**
 * Vendor name → sandbox factory: the one registration point. Adding a vendor sandbox is one folder
 * under src/sandbox/ plus one line here.
 */
export const sandboxRegistry: Record<string, SandboxFactory> = {
  salesforce: (options) => createSalesforceSandbox(options) as unknown as SandboxServer<unknown, unknown>,
  hubspot: (options) => createHubSpotSandbox(options) as unknown as SandboxServer<unknown, unknown>,
  dynamics: (options) => createDynamicsSandbox(options) as unknown as SandboxServer<unknown, unknown>,
  pipedrive: (options) => createPipedriveSandbox(options) as unknown as SandboxServer<unknown, unknown>,
  zoho: (options) => createZohoSandbox(options) as unknown as SandboxServer<unknown, unknown>,
};
