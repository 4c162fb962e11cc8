import {
  type HttpTransport,
  type ResponseHeaders,
  type TransportRequest,
  type TransportResponse,
} from './http.types';

/**
 * The default transport: Node's global `fetch` (undici). Redirects are returned, not followed (the
 * client decides whether credentials may follow them). nock ≥ 14 intercepts `fetch`, so unit tests
 * mock at the HTTP level without replacing this function.
 */
export const fetchTransport: HttpTransport = async (
  request: TransportRequest,
): Promise<TransportResponse> => {
  const res = await fetch(request.url, {
    method: request.method,
    headers: request.headers,
    body: request.body,
    redirect: 'manual',
    signal: request.signal,
  });
  const headers: Record<string, string> = {};
  res.headers.forEach((value, name) => {
    headers[name.toLowerCase()] = value;
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: headers as ResponseHeaders, body: bytes.toString('utf8'), bytes };
};

/** Error codes meaning the request never left this machine, so it cannot have been applied. */
const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * Whether a transport failure may have reached the vendor. `fetch` wraps the socket error in
 * `TypeError('fetch failed', { cause })`; timeouts and resets mid-flight may hide an applied request.
 */
export function mayHaveReachedServer(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && NOT_SENT_CODES.has(code)) return false;
    e = (e as { cause?: unknown }).cause;
  }
  return true;
}

/** A short description of a transport failure for messages (never the request, which may hold secrets). */
export function describeNetworkError(err: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 5; depth += 1) {
    const o = e as { name?: unknown; code?: unknown; message?: unknown; cause?: unknown };
    parts.push(typeof o.code === 'string' ? o.code : typeof o.name === 'string' ? o.name : 'Error');
    e = o.cause;
  }
  return parts.join(' ← ') || String(err);
}
