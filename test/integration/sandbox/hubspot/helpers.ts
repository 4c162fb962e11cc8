import { type ListeningSandbox, type SandboxServerOptions } from '../../../../src/sandbox/core';
import {
  createHubSpotSandbox,
  DEMO,
  type HubSpotSandboxOptions,
  type HubSpotServer,
} from '../../../../src/sandbox/hubspot';

export interface HsResponse<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
}

/** A listening HubSpot sandbox with a small seed (counts matter only where a test says so). */
export async function startHubSpot(
  counts: Record<string, number> = { contacts: 60, deals: 20 },
  serverOptions: SandboxServerOptions = {},
  options: HubSpotSandboxOptions = {},
): Promise<{ server: HubSpotServer; live: ListeningSandbox; call: Caller }> {
  const server = createHubSpotSandbox(
    { orgs: [{ id: 'default', seed: 7, counts }], ...serverOptions },
    options,
  );
  const live = await server.listen();
  return { server, live, call: caller(live.baseUrl) };
}

// Response bodies are asserted field by field in tests; a loose default keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Caller = <T = any>(
  method: string,
  path: string,
  body?: unknown,
  token?: string | null,
) => Promise<HsResponse<T>>;

/** Calls the sandbox with the demo private-app token unless another (or `null`) is given. */
export function caller(baseUrl: string): Caller {
  return async (method, path, body, token = DEMO.privateAppToken) => {
    const res = await fetch(`${baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : null };
  };
}

/** Live (non-archived) record ids of one type, in id order. */
export function liveIds(server: HubSpotServer, type: 'contacts' | 'deals', org = 'default'): string[] {
  const store = server.org(org).state.store;
  return store.order[type].filter((id) => store.get(type, id)?.archived === false);
}
