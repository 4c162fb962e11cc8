import { type Client, createClient } from 'graphql-ws/client';
import { type TypedDocumentString } from '../generated/operations';

/**
 * The console's only ways to the gateway: its public GraphQL API over HTTP and over its WebSocket
 * endpoint (graphql-ws, the key as `connectionParams.authorization`), with the operations of
 * console/operations/*.graphql typed by codegen — and the OAuth start route, as any app uses it.
 */

/** What the page is told by the shell (src/server/console.ts): the API's path and the CRMs. */
export interface ConsoleConfig {
  endpoint: string;
  crms: { kind: string; displayName: string; authKinds: string[]; oauth: boolean }[];
}

export function readConfig(): ConsoleConfig {
  const el = document.getElementById('console-config');
  return JSON.parse(el?.textContent ?? '{"endpoint":"/graphql","crms":[]}') as ConsoleConfig;
}

/** What to do about each error code (README "Errors"): shown under the message. */
const WHAT_TO_DO: Record<string, string> = {
  UNAUTHENTICATED: 'The key was refused (unknown, revoked or mistyped): sign out and enter a valid API key.',
  FORBIDDEN: 'This needs a read_write key; ask for one or use the CLI (`npm run admin`).',
  BAD_USER_INPUT: 'Correct the value the message names and try again.',
  NOT_FOUND: 'It no longer exists (deleted meanwhile?): reload the page.',
  CONFLICT: 'It changed meanwhile: reload and try again.',
  RATE_LIMITED: 'A rate limit or CRM budget is exhausted: wait and retry.',
  AUTH_EXPIRED: 'The CRM token could not be refreshed right now: retry in a moment.',
  NEEDS_REAUTH: 'The CRM refused the stored authorization: reconnect the connection.',
  VALIDATION: 'The CRM refused the record: fix the field it names.',
  UNAVAILABLE: 'The CRM or a store is unreachable: retry shortly; the gateway log says which.',
  UPSTREAM: "The CRM answered an error: the gateway log has the vendor's request id.",
  QUERY_TOO_COMPLEX: 'The operation is larger than this server allows.',
  INTERNAL_SERVER_ERROR: 'A bug on the gateway: the server log has the details.',
  NETWORK: 'The gateway could not be reached: check that it runs, then retry.',
};

export class GatewayError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
  }

  get whatToDo(): string {
    const retry = this.extensions.retryAfterMs;
    const hint = WHAT_TO_DO[this.code] ?? 'See the message above.';
    return typeof retry === 'number' ? `${hint} (retry after ${Math.ceil(retry / 1000)} s)` : hint;
  }
}

interface GraphQLError {
  message: string;
  extensions?: Record<string, unknown>;
}

function errorOf(errors: GraphQLError[]): GatewayError {
  const first = errors[0]!;
  const code = typeof first.extensions?.code === 'string' ? first.extensions.code : 'INTERNAL_SERVER_ERROR';
  return new GatewayError(first.message, code, first.extensions ?? {});
}

export function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (Array.isArray(err) && err.length > 0) return errorOf(err as GraphQLError[]);
  const message = err instanceof Error ? err.message : String(err);
  return new GatewayError(message, 'NETWORK');
}

export class Api {
  private ws: Client | null = null;

  constructor(
    private readonly endpoint: string,
    private readonly key: string,
  ) {}

  private get authorization(): string {
    return `Bearer ${this.key}`;
  }

  async request<R, V>(doc: TypedDocumentString<R, V>, variables: V): Promise<R> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          authorization: this.authorization,
        },
        body: JSON.stringify({ query: doc.toString(), variables }),
      });
    } catch (err) {
      throw asGatewayError(err);
    }
    const body = (await res.json().catch(() => null)) as { data?: R; errors?: GraphQLError[] } | null;
    if (body?.errors?.length) throw errorOf(body.errors);
    if (!body?.data) throw new GatewayError(`the gateway answered ${res.status} without data`, 'NETWORK');
    return body.data;
  }

  /** A subscription; returns its stop function. Each error ends it (the page offers to start again). */
  subscribe<R, V>(
    doc: TypedDocumentString<R, V>,
    variables: V,
    on: { next(data: R): void; error(err: GatewayError): void },
  ): () => void {
    this.ws ??= createClient({
      url: new URL(this.endpoint, window.location.href).href.replace(/^http/, 'ws'),
      connectionParams: { authorization: this.authorization },
      lazy: true,
      retryAttempts: 5,
    });
    return this.ws.subscribe<R>(
      { query: doc.toString(), variables: variables as Record<string, unknown> },
      {
        next: (result) => {
          if (result.errors?.length) on.error(errorOf(result.errors as GraphQLError[]));
          else if (result.data) on.next(result.data);
        },
        error: (err) => on.error(asGatewayError(err)),
        complete: () => undefined,
      },
    );
  }

  /** `/oauth/<crm>/start` as JSON: the vendor's authorize URL for a new connection or a reconnect. */
  async oauthStart(crm: string, params: Record<string, string>): Promise<string> {
    const query = new URLSearchParams({ ...params, format: 'json' });
    const res = await fetch(`/oauth/${encodeURIComponent(crm)}/start?${query}`, {
      headers: { authorization: this.authorization },
    }).catch((err: unknown) => {
      throw asGatewayError(err);
    });
    const body = (await res.json().catch(() => null)) as {
      authorizeUrl?: string;
      error?: { code: string; message: string; retryAfterMs?: number };
    } | null;
    if (body?.authorizeUrl) return body.authorizeUrl;
    const e = body?.error;
    throw new GatewayError(e?.message ?? `OAuth start answered ${res.status}`, e?.code ?? 'NETWORK', {
      ...e,
    });
  }

  close(): void {
    void this.ws?.dispose();
    this.ws = null;
  }
}
