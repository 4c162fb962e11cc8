import { metricsRegistry } from '../../src/metrics';

/**
 * The store counters of one process (src/store/command-count.ts) from its Prometheus text, keyed
 * `docs <collection>` (documents returned) and `<command> <collection>` (commands sent).
 */
export function storeCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  const line = /^cgw_store_(commands|documents_returned)_total\{([^}]*)\} (\S+)$/gm;
  for (const [, kind, labels, value] of text.matchAll(line)) {
    const label = (name: string) => new RegExp(`${name}="([^"]*)"`).exec(labels!)?.[1] ?? '-';
    const key =
      kind === 'commands' ? `${label('command')} ${label('collection')}` : `docs ${label('collection')}`;
    out.set(key, Number(value));
  }
  return out;
}

/** Reads a process's store counters now: this process's registry, or another's `/metrics` URL. */
export async function readStoreCounters(metricsUrl?: string): Promise<Map<string, number>> {
  if (!metricsUrl) return storeCounters(await metricsRegistry.metrics());
  const res = await fetch(metricsUrl);
  return storeCounters(await res.text());
}

/**
 * What changed per operation between two readings, largest first, dropping what is under `min` per
 * operation: `[key, per op]`.
 */
export function perOperation(
  before: Map<string, number>,
  after: Map<string, number>,
  operations: number,
  min = 0.05,
): [string, number][] {
  return [...after]
    .map(([key, v]): [string, number] => [key, (v - (before.get(key) ?? 0)) / operations])
    .filter(([, v]) => v >= min)
    .sort((a, b) => b[1] - a[1]);
}
