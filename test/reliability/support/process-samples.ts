import { type Queue } from 'bull';

/**
 * What a long run samples of each process of a fleet (issue 23's soak): its memory and event-loop lag,
 * read from its `/metrics` (prom-client's default metrics), and the depth of each Bull queue, read from
 * Redis. A sample that could not be read is left out (a process busy past the timeout is not memory).
 */
export interface ProcessSample {
  /** Seconds since the run began. */
  t: number;
  rssMiB: number;
  heapUsedMiB: number;
  /** p99 of the event-loop delay since the previous scrape (prom-client resets it on each collect). */
  lagP99Ms: number;
}

const MIB = 1024 * 1024;
const SCRAPE_TIMEOUT_MS = 5000;

/** The value of an unlabelled metric in Prometheus text format, or undefined when absent. */
export function metricValue(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) return undefined;
  const value = Number(
    line
      .slice(name.length + 1)
      .trim()
      .split(' ')[0],
  );
  return Number.isFinite(value) ? value : undefined;
}

/** The sum of a metric over all its label sets (0 when absent). */
export function metricSum(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((sum, l) => sum + (Number(l.slice(l.lastIndexOf(' ') + 1)) || 0), 0);
}

/** `/metrics` of a process as text, or undefined when it does not answer in time. */
export async function scrape(metricsUrl: string): Promise<string | undefined> {
  try {
    const res = await fetch(metricsUrl, { signal: AbortSignal.timeout(SCRAPE_TIMEOUT_MS) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}

/** One sample of a process, or undefined when its `/metrics` does not answer in time or lacks a figure. */
export async function sampleProcess(metricsUrl: string, t: number): Promise<ProcessSample | undefined> {
  const text = await scrape(metricsUrl);
  if (text === undefined) return undefined;
  const rss = metricValue(text, 'process_resident_memory_bytes');
  const heap = metricValue(text, 'nodejs_heap_size_used_bytes');
  const lag = metricValue(text, 'nodejs_eventloop_lag_p99_seconds');
  if (rss === undefined || heap === undefined || lag === undefined) return undefined;
  return { t, rssMiB: rss / MIB, heapUsedMiB: heap / MIB, lagP99Ms: lag * 1000 };
}

/** Jobs a queue still has to run: waiting, delayed (repeatable jobs' next runs among them) and active. */
export async function queueDepth(queue: Queue): Promise<number> {
  const counts = await queue.getJobCounts();
  return counts.waiting + counts.delayed + counts.active;
}

export const mean = (values: number[]): number =>
  values.length === 0 ? NaN : values.reduce((a, b) => a + b, 0) / values.length;

/** Least-squares slope of `y` over `x` (per unit of x); 0 with fewer than two points. */
export function slope(points: { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const mx = mean(points.map((p) => p.x));
  const my = mean(points.map((p) => p.y));
  const num = points.reduce((s, p) => s + (p.x - mx) * (p.y - my), 0);
  const den = points.reduce((s, p) => s + (p.x - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}
