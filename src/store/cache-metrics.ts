import { Counter } from 'prom-client';
import { metricsRegistry } from '../metrics';

/**
 * Metrics of the per-process store caches (src/store/versioned-cache.ts). `cache` is one of a fixed
 * few names (api_keys, connections, credentials, mappings), `kind` one of the change kinds: both bounded.
 */

/** Lookups of one cache not yet added to the counters. */
export interface CacheTally {
  hits: number;
  misses: number;
}

/**
 * Every lookup of a warm request is counted (three or more per request), and a labelled `inc` hashes
 * and checks its labels each time: the caches count in plain numbers, and the counters take them
 * when they are read (a scrape, `collect`), so what a scrape shows is exact at that moment.
 */
const tallies = new Map<string, CacheTally>();

/** The tally of the caches named `cache`: one per name, shared by every cache of that name. */
export function cacheTally(cache: string): CacheTally {
  let tally = tallies.get(cache);
  if (!tally) tallies.set(cache, (tally = { hits: 0, misses: 0 }));
  return tally;
}

export const cacheHits = new Counter({
  name: 'cgw_cache_hits_total',
  help: 'Lookups a per-process store cache answered from memory, by cache',
  labelNames: ['cache'] as const,
  registers: [metricsRegistry],
  collect() {
    for (const [cache, tally] of tallies) {
      if (tally.hits > 0) this.inc({ cache }, tally.hits);
      tally.hits = 0;
    }
  },
});

export const cacheMisses = new Counter({
  name: 'cgw_cache_misses_total',
  help: 'Lookups a per-process store cache sent to the store (absent, expired or dropped), by cache',
  labelNames: ['cache'] as const,
  registers: [metricsRegistry],
  collect() {
    for (const [cache, tally] of tallies) {
      if (tally.misses > 0) this.inc({ cache }, tally.misses);
      tally.misses = 0;
    }
  },
});

export const storeChangesReceived = new Counter({
  name: 'cgw_cache_invalidations_received_total',
  help: "Store changes broadcast by other processes and applied to this process's caches, by kind",
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});
