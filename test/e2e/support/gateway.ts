import { type TypedDocumentNode } from '@graphql-typed-document-node/core';
import { type FormattedExecutionResult, print } from 'graphql';
import { createClient, type Client } from 'graphql-ws/client';
import WebSocket from 'ws';
import { type Env } from '../../../src/config/env';
import { type Logger } from '../../../src/logger';
import { type AppContext } from '../../../src/runtime/context';
import { type ApiKeyScope } from '../../../src/security/api-keys';
import {
  type GatewayServer,
  type GatewayServerOptions,
  startGatewayServer,
} from '../../../src/server/http-server';
import { createTestContext } from '../../support/context';

/** One gateway in this process on a free port, over a test context of its own. */
export interface TestGateway {
  ctx: AppContext;
  gateway: GatewayServer;
  url: string;
  /** A tenant with a key of the given scope. */
  tenant(name: string, scope?: ApiKeyScope): Promise<{ tenantId: string; key: string }>;
  close(): Promise<void>;
}

export async function startTestGateway(
  options: { logger?: Logger; env?: Env } & Omit<Partial<GatewayServerOptions>, 'host' | 'port'> = {},
): Promise<TestGateway> {
  const { logger, env, ...serverOptions } = options;
  const ctx = await createTestContext({ logger, env });
  const gateway = await startGatewayServer(ctx, { host: '127.0.0.1', port: 0, ...serverOptions });
  let n = 0;
  return {
    ctx,
    gateway,
    url: gateway.url,
    async tenant(name, scope = 'read_write') {
      n += 1;
      const tenant = await ctx.store.tenants.create(`${name}-${n}-${Date.now()}`);
      const { key } = await ctx.store.apiKeys.create(tenant.id, `${name} key`, scope);
      return { tenantId: tenant.id, key };
    },
    async close() {
      await gateway.close();
      await ctx.store.conn.dropDatabase().catch(() => undefined);
      await ctx.close();
    },
  };
}

export interface HttpResult<T> {
  status: number;
  body: FormattedExecutionResult<T>;
  text: string;
}

/** Sends a typed operation over HTTP POST, as any client would. */
export async function request<T, V>(
  url: string,
  document: TypedDocumentNode<T, V>,
  variables?: V,
  options: { key?: string; authorization?: string } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  const authorization = options.authorization ?? (options.key ? `Bearer ${options.key}` : undefined);
  if (authorization) headers.authorization = authorization;
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ query: print(document), variables }),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as FormattedExecutionResult<T>, text };
}

/** A graphql-ws client over the `ws` package; `lazy: false` so connection failures surface at once. */
export function wsClient(
  url: string,
  authorization: string | undefined,
  onClosed?: (code: number, reason: string) => void,
): Client {
  return createClient({
    url: `${url.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    lazy: false,
    retryAttempts: 0,
    // Closures are reported through `onClosed`; graphql-ws would also print them to the console.
    onNonLazyError: () => undefined,
    connectionParams: authorization ? { authorization } : {},
    on: {
      closed: (event) => {
        const e = event as { code: number; reason: string };
        onClosed?.(e.code, String(e.reason));
      },
    },
  });
}
