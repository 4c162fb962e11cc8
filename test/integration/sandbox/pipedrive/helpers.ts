import { type ListeningSandbox, type SandboxServerOptions } from '../../../../src/sandbox/core';
import { createPipedriveSandbox, DEMO, type PipedriveServer } from '../../../../src/sandbox/pipedrive';
import { requestJson } from '../../../support/http-json';

export const V2 = '/api/v2';

export interface PdResponse<T = unknown> {
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
) => Promise<PdResponse<T>>;

export interface Started {
  server: PipedriveServer;
  live: ListeningSandbox;
  /** Calls with the default org's API token in `x-api-token` unless `token` says otherwise. */
  call: Caller;
  token: string;
}

/** A listening Pipedrive sandbox with a small seed (counts matter only where a test says so). */
export async function startPipedrive(
  counts: Record<string, number> = { persons: 40, deals: 15 },
  settings: Record<string, unknown> = {},
  serverOptions: SandboxServerOptions = {},
): Promise<Started> {
  const server = createPipedriveSandbox({
    orgs: [{ id: 'default', seed: 7, counts, settings }],
    ...serverOptions,
  });
  const live = await server.listen();
  const token = server.org().state.apiToken;
  return { server, live, call: caller(live.baseUrl, token), token };
}

export function caller(baseUrl: string, defaultToken: string): Caller {
  return async (method, path, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    return requestJson(`${baseUrl}${path}`, method, {
      body: options.body,
      headers: { ...(token ? { 'x-api-token': token } : {}), ...(options.headers ?? {}) },
    }) as Promise<PdResponse<never>>;
  };
}

export function basic(id: string = DEMO.clientId, secret: string = DEMO.clientSecret): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** Posts a form to `/oauth/token` (Basic client auth unless `authorization` is given, `null` for none). */
export async function tokenRequest(
  baseUrl: string,
  form: Record<string, string>,
  authorization: string | null = basic(),
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(authorization ? { authorization } : {}),
    },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Runs the authorize redirect and returns the code it carries. */
export async function authorizeCode(
  baseUrl: string,
  redirectUri: string = DEMO.redirectUri,
): Promise<string> {
  const url = `${baseUrl}/oauth/authorize?client_id=${DEMO.clientId}&redirect_uri=${encodeURIComponent(redirectUri)}&state=xyz`;
  const res = await fetch(url, { redirect: 'manual' });
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.searchParams.get('state')).toBe('xyz');
  return location.searchParams.get('code') ?? '';
}

/** A full authorization-code exchange: the token answer. */
export async function oauthTokens(baseUrl: string): Promise<Record<string, unknown>> {
  const code = await authorizeCode(baseUrl);
  const res = await tokenRequest(baseUrl, {
    grant_type: 'authorization_code',
    code,
    redirect_uri: DEMO.redirectUri,
  });
  expect(res.status).toBe(200);
  return res.json;
}
