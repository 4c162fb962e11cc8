import { type ListeningSandbox, type SandboxServerOptions } from '../../../../src/sandbox/core';
import {
  createDynamicsSandbox,
  demoAccessToken,
  type DynamicsServer,
} from '../../../../src/sandbox/dynamics';
import { requestJson } from '../../../support/http-json';

export const API = '/api/data/v9.2';

export interface DvResponse<T = unknown> {
  status: number;
  headers: Headers;
  json: T;
  text: string;
}

// Response bodies are asserted field by field in tests; a loose default keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Caller = <T = any>(
  method: string,
  path: string,
  options?: { body?: unknown; headers?: Record<string, string>; token?: string | null },
) => Promise<DvResponse<T>>;

/** A listening Dataverse sandbox with a small seed (counts matter only where a test says so). */
export async function startDynamics(
  counts: Record<string, number> = { contact: 40, opportunity: 15, account: 8 },
  serverOptions: SandboxServerOptions = {},
  settings: Record<string, unknown> = {},
): Promise<{ server: DynamicsServer; live: ListeningSandbox; call: Caller; token: string }> {
  const server = createDynamicsSandbox({
    orgs: [{ id: 'default', seed: 7, counts, settings }],
    ...serverOptions,
  });
  const live = await server.listen();
  const token = demoAccessToken('default');
  return { server, live, call: caller(live.baseUrl, token), token };
}

/** Calls the sandbox with the demo token unless another (or `null`) is given. */
export function caller(baseUrl: string, defaultToken: string): Caller {
  return async (method, path, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    return requestJson(`${baseUrl}${path}`, method, {
      body: options.body,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) },
    }) as Promise<DvResponse<never>>;
  };
}

/** Posts a form to the token endpoint of a tenant. */
export async function tokenRequest(
  baseUrl: string,
  tenant: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/${tenant}/oauth2/v2.0/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}
