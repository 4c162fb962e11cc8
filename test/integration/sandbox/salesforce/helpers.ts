import { type ListeningSandbox } from '../../../../src/sandbox/core';
import { createSalesforceSandbox } from '../../../../src/sandbox/salesforce';

export const V = '/services/data/v62.0';

export interface SfResponse {
  status: number;
  headers: Headers;
  text: string;
  // Test bodies are whatever the sandbox sent; tests assert on their shape.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json: any;
}

/** A small Salesforce sandbox on a free port, plus a fetch helper that sends the demo token. */
export async function startSalesforce(
  counts: Record<string, number> = { Account: 20, Contact: 450, Opportunity: 60 },
) {
  const server = createSalesforceSandbox({
    orgs: [
      { id: 'default', seed: 11, counts },
      { id: 'other', seed: 12, counts: { Account: 2, Contact: 5, Opportunity: 2 } },
    ],
  });
  const live: ListeningSandbox = await server.listen();
  const token = (org = 'default'): string => server.org(org).state.demoAccessToken;

  async function sf(
    method: string,
    path: string,
    options: { body?: unknown; token?: string | null; headers?: Record<string, string>; raw?: string } = {},
  ): Promise<SfResponse> {
    const isJson = options.body !== undefined;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? token()}`;
    if (isJson) headers['content-type'] = 'application/json';
    const res = await fetch(`${live.baseUrl}${path}`, {
      method,
      redirect: 'manual',
      headers,
      body: isJson ? JSON.stringify(options.body) : options.raw,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = null;
    }
    return { status: res.status, headers: res.headers, text, json };
  }

  async function admin(method: string, path: string, body?: unknown): Promise<SfResponse> {
    return sf(method, `/__sandbox/orgs/${path}`, { body, token: null });
  }

  return { server, live, sf, admin, token, close: () => live.close() };
}

export type Salesforce = Awaited<ReturnType<typeof startSalesforce>>;
