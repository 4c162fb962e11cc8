import { isDeepStrictEqual } from 'node:util';
import { requestJson } from '../../support/http-json';

/**
 * How the fault scenarios (issue 23) judge each answer a client got from a gateway while something
 * fails under it: a success, a retryable UNAVAILABLE (the only failure a store outage may cause), or a
 * broken promise — a 500, a body that is not JSON, another error code, or data that differs from what
 * the sandbox holds.
 */
export type Verdict = 'ok' | 'unavailable' | 'broken';

export interface GraphqlAnswer {
  status: number;
  text: string;
  data: Record<string, unknown> | undefined;
  errors: { message?: string; extensions?: { code?: string; retryable?: boolean } }[] | undefined;
}

/** One GraphQL POST with `key`, read as text and as JSON when it parses. */
export async function postGraphql(
  url: string,
  key: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<GraphqlAnswer> {
  const res = await requestJson<{ data?: Record<string, unknown>; errors?: GraphqlAnswer['errors'] }>(
    `${url}/graphql`,
    'POST',
    { body: { query, variables }, headers: { authorization: `Bearer ${key}` } },
  );
  return { status: res.status, text: res.text, data: res.json?.data ?? undefined, errors: res.json?.errors };
}

/**
 * The verdict on one answer. `expected` is what a successful answer's data must equal (undefined: any
 * data is right, e.g. a write's new operation ids).
 */
export function judge(answer: GraphqlAnswer, expected?: unknown): Verdict {
  if (answer.status >= 500 && answer.status !== 503) return 'broken';
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    return 'broken';
  }
  if (parsed === null || typeof parsed !== 'object') return 'broken';
  if (answer.errors?.length) {
    const retryable = answer.errors.every(
      (e) => e.extensions?.code === 'UNAVAILABLE' && e.extensions.retryable === true,
    );
    return retryable ? 'unavailable' : 'broken';
  }
  if (answer.status !== 200 || answer.data === undefined) return 'broken';
  return expected === undefined || isDeepStrictEqual(answer.data, expected) ? 'ok' : 'broken';
}

/** A tally of verdicts, with the first few broken answers kept to print. */
export class Tally {
  readonly counts: Record<Verdict, number> = { ok: 0, unavailable: 0, broken: 0 };
  readonly brokenSamples: string[] = [];

  add(what: string, answer: GraphqlAnswer, verdict: Verdict): Verdict {
    this.counts[verdict] += 1;
    if (verdict === 'broken' && this.brokenSamples.length < 10) {
      this.brokenSamples.push(`${what}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`);
    }
    return verdict;
  }
}

/** `/readyz` of a gateway: its status, or 0 when nothing answers (the listener is closed). */
export async function readyzStatus(url: string): Promise<{ status: number; state: string }> {
  try {
    const res = await requestJson<{ status?: string }>(`${url}/readyz`, 'GET');
    return { status: res.status, state: String(res.json?.status ?? '') };
  } catch {
    return { status: 0, state: 'closed' };
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
