import { type RateLimitHeaders } from '../config/crms';
import { type ResponseHeaders } from '../vendor-calls/call.types';

/** What a vendor's headers say about one budget. */
export interface BudgetReading {
  remaining: number;
  /** The vendor's limit for the window, when it says. */
  limit?: number;
}

/**
 * Reads a budget's headers (names from the CRM's declaration). `null` when the headers are absent or not
 * numbers: a vendor may omit them when it could not count, and a missing header is no information.
 */
export function readBudgetHeaders(spec: RateLimitHeaders, headers: ResponseHeaders): BudgetReading | null {
  if (spec.style === 'usage-ratio') {
    // `<header>: api-usage=18/5000; per-app-api-usage=17/250(appName=x)`: used/limit per key.
    const raw = headers[spec.header.toLowerCase()];
    if (!raw) return null;
    for (const part of raw.split(/[;,]/)) {
      const m = /^\s*([\w-]+)=(\d+)\/(\d+)/.exec(part);
      if (m && m[1] === spec.key) {
        const used = Number(m[2]);
        const limit = Number(m[3]);
        if (limit <= 0) return null;
        return { remaining: Math.max(limit - used, 0), limit };
      }
    }
    return null;
  }
  const remaining = integerHeader(headers[spec.remaining.toLowerCase()]);
  if (remaining === null) return null;
  const limit = spec.limit ? integerHeader(headers[spec.limit.toLowerCase()]) : null;
  return limit !== null && limit > 0 ? { remaining: Math.min(remaining, limit), limit } : { remaining };
}

function integerHeader(value: string | undefined): number | null {
  if (value === undefined || !/^\s*\d{1,12}\s*$/.test(value)) return null;
  return Number(value);
}
