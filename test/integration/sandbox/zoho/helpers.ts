import { type ListeningSandbox, type SandboxServerOptions } from '../../../../src/sandbox/core';
import { createZohoSandbox, DEMO, type ZohoServer } from '../../../../src/sandbox/zoho';
import { requestJson, type JsonResponse } from '../../../support/http-json';

export type ZResponse<T = unknown> = JsonResponse<T>;

// Response bodies are asserted field by field in tests; a loose default keeps those assertions short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Caller = <T = any>(
  method: string,
  path: string,
  options?: { body?: unknown; headers?: Record<string, string>; token?: string | null; dc?: string },
) => Promise<ZResponse<T>>;

export interface Started {
  server: ZohoServer;
  live: ListeningSandbox;
  /** Calls `/crm/v8<path>` on the default org's DC with its demo token unless told otherwise. */
  call: Caller;
  token: string;
  dc: string;
}

/** A listening Zoho sandbox with a small seed (counts matter only where a test says so). */
export async function startZoho(
  counts: Record<string, number> = { Contacts: 40, Deals: 15 },
  settings: Record<string, unknown> = {},
  serverOptions: SandboxServerOptions = {},
): Promise<Started> {
  const server = createZohoSandbox({
    orgs: [{ id: 'default', seed: 7, counts, settings }],
    ...serverOptions,
  });
  const live = await server.listen();
  const org = server.org();
  const dc = org.state.settings.dc;
  return {
    server,
    live,
    call: caller(live.baseUrl, org.state.demoToken, dc),
    token: org.state.demoToken,
    dc,
  };
}

export function caller(baseUrl: string, defaultToken: string, defaultDc: string): Caller {
  return async (method, path, options = {}) => {
    const token = options.token === undefined ? defaultToken : options.token;
    return requestJson(`${baseUrl}/dc/${options.dc ?? defaultDc}/api/crm/v8${path}`, method, {
      body: options.body,
      headers: {
        ...(token ? { authorization: `Zoho-oauthtoken ${token}` } : {}),
        ...(options.headers ?? {}),
      },
    }) as Promise<ZResponse<never>>;
  };
}

/** Posts the token form to a DC's accounts server; Zoho answers errors with HTTP 200 too. */
export async function tokenRequest(
  baseUrl: string,
  dc: string,
  form: Record<string, string>,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${baseUrl}/dc/${dc}/accounts/oauth/v2/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: DEMO.clientId,
      client_secret: DEMO.clientSecret,
      ...form,
    }).toString(),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

/** Runs the authorize redirect (starting on `startDc`'s accounts server) and returns its parameters. */
export async function authorize(
  baseUrl: string,
  startDc = 'us',
  extra: Record<string, string> = {},
): Promise<URLSearchParams> {
  const q = new URLSearchParams({
    response_type: 'code',
    client_id: DEMO.clientId,
    scope: 'ZohoCRM.modules.ALL',
    redirect_uri: DEMO.redirectUri,
    access_type: 'offline',
    state: 'xyz',
    ...extra,
  });
  const res = await fetch(`${baseUrl}/dc/${startDc}/accounts/oauth/v2/auth?${q.toString()}`, {
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '').searchParams;
}

/** A full code exchange at the DC the redirect names: the token answer. */
export async function oauthTokens(
  baseUrl: string,
  extra: Record<string, string> = {},
): Promise<Record<string, unknown>> {
  const back = await authorize(baseUrl, 'us', extra);
  const res = await tokenRequest(baseUrl, back.get('location') ?? '', {
    grant_type: 'authorization_code',
    code: back.get('code') ?? '',
    redirect_uri: DEMO.redirectUri,
  });
  expect(res.status).toBe(200);
  return res.json;
}
