import { cacheHits, cacheMisses } from '../../../src/store/cache-metrics';
import { VersionedCache } from '../../../src/store/versioned-cache';

/** A feed whose health the test sets: live → the long bound, down → the outage bound. */
function feed(live = true) {
  return {
    live,
    get maxAgeMs() {
      return this.live ? 60_000 : 1000;
    },
  };
}

describe('VersionedCache', () => {
  let clock: number;
  const now = () => clock;
  beforeEach(() => (clock = 0));

  it('reuses an entry for the live bound, and only for the outage bound while the feed is down', async () => {
    const health = feed();
    const cache = new VersionedCache<number>({ name: 'test', feed: health, now });
    let reads = 0;
    const read = async () => (reads += 1);
    expect(await cache.get('k', read)).toBe(1);
    clock = 59_999;
    expect(await cache.get('k', read)).toBe(1);
    health.live = false; // the subscriber dropped: that entry is already far past 1 s old
    expect(await cache.get('k', read)).toBe(2);
    clock += 999;
    expect(await cache.get('k', read)).toBe(2);
    clock += 1;
    expect(await cache.get('k', read)).toBe(3);
  });

  it('counts hits and misses per cache name, each once, in what the counters report', async () => {
    const counted = async (counter: typeof cacheHits, cache: string) =>
      (await counter.get()).values.find((v) => v.labels.cache === cache)?.value ?? 0;
    const cache = new VersionedCache<number>({ name: 'metrics_test', feed: feed(), now });
    const twin = new VersionedCache<number>({ name: 'metrics_test', feed: feed(), now });
    await cache.get('k', async () => 1);
    await cache.get('k', async () => 1);
    await twin.getMany(['a', 'b'], async () => new Map([['a', 1]]), 0);
    await twin.getMany(['a', 'b', 'c'], async () => new Map(), 0);
    expect(await counted(cacheHits, 'metrics_test')).toBe(3);
    expect(await counted(cacheMisses, 'metrics_test')).toBe(4);
    // Read again with nothing new: the tallies were taken once, not added twice.
    expect(await counted(cacheHits, 'metrics_test')).toBe(3);
    await cache.get('k', async () => 1);
    expect(await counted(cacheHits, 'metrics_test')).toBe(4);
  });

  it('answers but does not keep a read that a change overtook', async () => {
    const cache = new VersionedCache<string>({ name: 'test', feed: feed(), now });
    let release!: (v: string) => void;
    const slow = cache.get('k', () => new Promise<string>((resolve) => (release = resolve)));
    cache.delete('k');
    release('stale');
    expect(await slow).toBe('stale');
    expect(await cache.get('k', async () => 'current')).toBe('current');
    expect(cache.peek('k')).toBe('current');
  });

  it('shares one read between concurrent misses, except for a fresh read', async () => {
    const cache = new VersionedCache<number>({ name: 'test', feed: feed(), now });
    let reads = 0;
    const read = async () => (reads += 1);
    expect(await Promise.all([cache.get('k', read), cache.get('k', read)])).toEqual([1, 1]);
    expect(await cache.get('k', read, { fresh: true })).toBe(2);
    expect(await cache.get('k', read)).toBe(2);
  });

  it('reads only the missing keys of a batch, and remembers the absent ones as absent', async () => {
    const cache = new VersionedCache<string | null>({ name: 'test', feed: feed(), now });
    cache.put('a', 'A');
    const asked: string[][] = [];
    const values = await cache.getMany(
      ['a', 'b', 'c'],
      async (missing) => {
        asked.push(missing);
        return new Map([['b', 'B']]);
      },
      null,
    );
    expect(values).toEqual(['A', 'B', null]);
    expect(asked).toEqual([['b', 'c']]);
    expect(await cache.getMany(['c', 'b'], async () => new Map(), 'never')).toEqual([null, 'B']);
  });

  it('drops the least recently stored entry past its size', async () => {
    const cache = new VersionedCache<number>({ name: 'test', feed: feed(), now, maxEntries: 2 });
    cache.put('a', 1);
    cache.put('b', 2);
    cache.put('c', 3);
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([false, true, true]);
  });
});
