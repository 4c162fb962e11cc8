import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import zlib from 'node:zlib';
import { isAllowlisted } from '../ssrf';
import { type HttpTransport, type ResponseHeaders, type TransportRequest } from './http.types';
import { PrivateAddressError, type Resolver, isPublicAddress, pinnedLookup } from './pinned-lookup';

export interface PinnedTransportOptions {
  /** @defaultValue the system resolver */
  resolve?: Resolver;
  /**
   * VENDOR_URL_ALLOWLIST: origins exempt from the address check (a sandbox on 127.0.0.1 that an
   * operator allowed). Every other host must resolve to public addresses only.
   */
  allowlist: readonly string[];
}

/**
 * The production transport of vendor calls: Node's http/https with the socket's name resolution
 * replaced by {@link pinnedLookup}, so a host that resolves to a private, loopback or link-local
 * address is refused before a byte is sent, and the connection goes to the very address that was
 * checked. (`fetch` takes no per-request lookup without a separate undici, hence node:http.) Like
 * `fetchTransport`, it returns redirects instead of following them.
 */
export function pinnedTransport(options: PinnedTransportOptions): HttpTransport {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  const lookups = {
    checked: pinnedLookup({ resolve: options.resolve }),
    exempt: pinnedLookup({ resolve: options.resolve, exempt: () => true }),
  };
  return (request) => {
    const url = new URL(request.url);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.reject(new Error(`only http(s) is sent, got ${url.protocol}`));
    }
    const exempt = isAllowlisted(url, options.allowlist);
    const literal = url.hostname.replace(/^\[|\]$/g, '');
    // An IP literal is connected to without a lookup: check it here.
    if (net.isIP(literal) !== 0 && !exempt && !isPublicAddress(literal)) {
      return Promise.reject(new PrivateAddressError(url.hostname, literal));
    }
    return send(request, url, {
      agent: agents[url.protocol],
      lookup: exempt ? lookups.exempt : lookups.checked,
    });
  };
}

function send(
  request: TransportRequest,
  url: URL,
  via: { agent: http.Agent; lookup: net.LookupFunction },
): Promise<{ status: number; headers: ResponseHeaders; body: string; bytes: Buffer }> {
  const client = url.protocol === 'https:' ? https : http;
  const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br', ...request.headers };
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body));
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      { method: request.method, headers, signal: request.signal, agent: via.agent, lookup: via.lookup },
      (res) => {
        const chunks: Buffer[] = [];
        const body = decoded(res);
        body.on('data', (chunk: Buffer) => chunks.push(chunk));
        body.on('error', reject);
        body.on('end', () => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers)) {
            if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
          }
          const bytes = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: out, body: bytes.toString('utf8'), bytes });
        });
      },
    );
    req.on('error', reject);
    req.end(request.body);
  });
}

/** The response body, decompressed per its content-encoding. */
function decoded(res: http.IncomingMessage): NodeJS.ReadableStream {
  const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
  if (encoding === 'gzip' || encoding === 'x-gzip') return res.pipe(zlib.createGunzip());
  if (encoding === 'deflate') return res.pipe(zlib.createInflate());
  if (encoding === 'br') return res.pipe(zlib.createBrotliDecompress());
  return res;
}
