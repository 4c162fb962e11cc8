import http from 'node:http';

/** A closed-loop HTTP load: `connections` clients each sending the next request when one returns. */
export interface LoadResult {
  rps: number;
  p50: number;
  p99: number;
  failed: number;
  /** Every answer received, warm-up included: what the server handled while the load ran. */
  sent: number;
}

export function percentile(sorted: readonly number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : NaN;
}

/**
 * POSTs `body` to `url` from `connections` keep-alive clients: one second of warm-up, then `seconds`
 * measured. A non-200 answer or one with `"errors"` counts as failed, not as a latency.
 */
export async function postLoad(
  url: string,
  body: string,
  headers: Record<string, string>,
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  const target = new URL(url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies: number[] = [];
  let failed = 0;
  let sent = 0;
  let measuring = false;
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const started = performance.now();
      const req = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          agent,
        },
        (res) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => {
            sent++;
            if (measuring) {
              if (res.statusCode === 200 && !text.includes('"errors"'))
                latencies.push(performance.now() - started);
              else failed++;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (measuring) failed++;
        resolve();
      });
      req.end(body);
    });
  const deadline = Date.now() + 1000 + seconds * 1000;
  const clients = Array.from({ length: connections }, async () => {
    while (Date.now() < deadline) await once();
  });
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(clients);
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed,
    sent,
  };
}
