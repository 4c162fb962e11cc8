import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { type Env } from '../config/env';
import { metricsRegistry } from '../metrics';

/**
 * Where `/metrics` is served. Its labels name every tenant's connections, so it is not for the public
 * listener of a production gateway:
 * - `{ host, port }`: a listener of its own (METRICS_HOST:METRICS_PORT), for Prometheus on an internal
 *   network; the public port then has no `/metrics` at all;
 * - `'public'`: on the API port (development and tests, when METRICS_PORT is unset);
 * - `'off'`: not served (production without METRICS_PORT).
 */
export type MetricsExposure = { host: string; port: number } | 'public' | 'off';

export function metricsExposureFromEnv(env: Env): MetricsExposure {
  if (env.METRICS_PORT !== undefined) return { host: env.METRICS_HOST, port: env.METRICS_PORT };
  return env.isProduction ? 'off' : 'public';
}

/** The internal listener: `GET /metrics` and nothing else. */
export async function startMetricsListener(where: {
  host: string;
  port: number;
}): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' || (req.url ?? '').split('?')[0] !== '/metrics') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('only GET /metrics is served here\n');
      return;
    }
    metricsRegistry.metrics().then(
      (text) => res.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${String(err)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(where.port, where.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const host = where.host.includes(':') ? `[${where.host}]` : where.host;
  return {
    url: `http://${host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
