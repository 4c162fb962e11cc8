import { type CrmError } from '../../errors';
import { type ResponseHeaders } from './http.types';

/** What a connector asks of the shared HTTP client (`vendor-client.ts`), and what it gets back. */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface VendorRequest {
  method: HttpMethod;
  /** Absolute URL, or a path resolved against the token's API base / the client's `baseUrl`. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  /** JSON body (sets content-type). */
  json?: unknown;
  /** Form body (`application/x-www-form-urlencoded`). */
  form?: Record<string, string>;
  /**
   * A body already serialized (CSV uploads, bodies built by a vendor SDK); its content-type comes from
   * `headers`. Used only when neither `json` nor `form` is set. Bytes for a binary upload (a zip).
   */
  body?: string | Uint8Array;
  /**
   * Whether sending this twice equals sending it once. Default: true for GET, HEAD, PUT and DELETE.
   * Set it on a POST/PATCH that is idempotent (an upsert by external id, a query sent as POST).
   */
  idempotent?: boolean;
  /**
   * Budget units this call costs.
   * @defaultValue 1 (0 for calls the vendor does not count, e.g. a vendor's API-versions resource)
   */
  cost?: number;
  /**
   * The endpoint class of this call (`'list'`, `'get'`…), for a CRM whose budgets price endpoints apart
   * (`BudgetDeclaration.costs`): each such budget takes its declared price instead of `cost`.
   */
  endpoint?: string;
  /**
   * The budgets (declared names, the CRM's `declaration.ts`) this call draws on, instead of the connection's
   * ordinary ones: a search endpoint with its own budget takes only that one. Their headers correct, and a vendor refusal
   * blocks, these budgets alone.
   * @defaultValue the ordinary budgets (every one not marked `namedOnly`)
   */
  budgets?: readonly string[];
  /** Send without credentials (token endpoints carry their own client authentication). */
  anonymous?: boolean;
}

export interface VendorResponse<T = unknown> {
  status: number;
  headers: ResponseHeaders;
  /** Parsed JSON when the body is JSON, else the text; `null` for an empty body. */
  body: T;
  text: string;
  /** The body's bytes, where the transport kept them (both built-in transports do): binary downloads. */
  bytes?: Buffer;
  requestId?: string;
}

/** What the client reports after every attempt (metrics hook in `connectors/metrics.ts`). */
export interface VendorCallEvent {
  crm: string;
  connectionId?: string;
  method: HttpMethod;
  /** HTTP status, or `0` when the transport failed. */
  status: number;
  durationMs: number;
  rateLimited: boolean;
  /** Set when the call ends in an error. */
  errorCode?: CrmError['code'];
}

/**
 * Resolves a request URL: absolute as is, relative against `base` (the token's API base or the
 * client's `baseUrl`). Throws when a relative URL has no base: a connector bug, not a vendor answer.
 */
export function resolveRequestUrl(url: string, base: string | undefined, crm: string): URL {
  if (/^[a-z][a-z0-9+.-]*:/i.test(url)) return new URL(url);
  if (!base) throw new Error(`relative URL ${JSON.stringify(url)} but ${crm} client has no base URL`);
  return new URL(url.replace(/^\//, ''), base.endsWith('/') ? base : `${base}/`);
}

/**
 * The wire form of a request at `url`: its query parameters added, header names lower-cased, and the
 * body encoded from `json`, `form` or `body` (the first set wins) with its content-type. Credentials
 * are the client's hooks' to add.
 */
export function encodeRequest(
  req: VendorRequest,
  url: URL,
): { url: string; headers: Record<string, string>; body: string | Uint8Array | undefined } {
  for (const [k, v] of Object.entries(req.query ?? {}))
    if (v !== undefined) url.searchParams.set(k, String(v));
  const headers: Record<string, string> = { accept: 'application/json' };
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = v;
  let body: string | Uint8Array | undefined;
  if (req.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(req.json);
  } else if (req.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(req.form).toString();
  } else if (req.body !== undefined) {
    body = req.body;
  }
  return { url: url.toString(), headers, body };
}
