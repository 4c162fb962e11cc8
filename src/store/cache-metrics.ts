import { Counter } from 'prom-client';
import { metricsRegistry } from '../metrics';

/**
 * Metrics of the per-process store caches (src/store/versioned-cache.ts). `cache` is one of a fixed
 * few names (api_keys, connections, credentials, mappings), `kind` one of the change kinds: both bounded.
 */

export const cacheHits = new Counter({
  name: 'cgw_cache_hits_total',
  help: 'Lookups a per-process store cache answered from memory, by cache',
  labelNames: ['cache'] as const,
  registers: [metricsRegistry],
});

export const cacheMisses = new Counter({
  name: 'cgw_cache_misses_total',
  help: 'Lookups a per-process store cache sent to the store (absent, expired or dropped), by cache',
  labelNames: ['cache'] as const,
  registers: [metricsRegistry],
});

export const storeChangesReceived = new Counter({
  name: 'cgw_cache_invalidations_received_total',
  help: "Store changes broadcast by other processes and applied to this process's caches, by kind",
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});
