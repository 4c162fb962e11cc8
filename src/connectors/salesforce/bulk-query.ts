import { CrmNotFoundError, CrmUpstreamError } from '../../errors';
import { type SalesforceApi } from './api-context';
import { jobsPath, pollBulkJob } from './bulk';
import { parseCsv } from './csv';
import { type WireQueryJob } from './wire.types';

/**
 * Bulk API 2.0 query jobs (docs/vendors/salesforce.md "Bulk API 2.0 query jobs"): create one, wait for
 * it, and read its results one CSV set at a time by locator. Like the ingest jobs of `bulk.ts`, every
 * call goes through the shared client (budget gate, retries, typed errors), not jsforce, whose Bulk 2.0
 * client polls on its own timers and streams results past the gate.
 *
 * A job and its locators live on Salesforce's side until the job is deleted (seven days after it ends),
 * so a caller may persist `{version, jobId, locator}` and read on from another process. Results must be
 * read at the API version the job was created with (409 otherwise), which is why the version travels
 * with the job id.
 */

/** How the wait between job polls grows, and where it stops growing. */
const POLL_BACKOFF = 2;
const POLL_MAX_WAIT_MS = 30_000;

export interface QueryJobRef {
  /** API version the job was created at (`v62.0`). */
  version: string;
  jobId: string;
}

/** Starts a `query` job (live records only: `queryAll` would add deleted ones). */
export async function createQueryJob(
  api: SalesforceApi,
  soql: string,
  version: string,
): Promise<QueryJobRef> {
  const res = await api.http.request<WireQueryJob>({
    method: 'POST',
    url: jobsPath('query', version),
    json: { operation: 'query', query: soql, contentType: 'CSV', columnDelimiter: 'COMMA', lineEnding: 'LF' },
    // A duplicate job only reads; it costs one of the org's daily query jobs and expires unused.
    idempotent: true,
  });
  return { version, jobId: res.body.id };
}

/**
 * Polls the job with growing waits until it is JobComplete (returning it), or `bulkTimeoutMs` passes
 * (returning null: the caller keeps the job and asks again later). Failed, Aborted, or gone → UPSTREAM.
 */
export async function awaitQueryJob(api: SalesforceApi, ref: QueryJobRef): Promise<WireQueryJob | null> {
  const { job, ended } = await gone(api, ref, () =>
    pollBulkJob<WireQueryJob>(api, `${jobsPath('query', ref.version)}/${ref.jobId}`, {
      backoff: POLL_BACKOFF,
      maxWaitMs: POLL_MAX_WAIT_MS,
    }),
  );
  if (!ended) return null;
  if (job.state !== 'JobComplete') {
    throw new CrmUpstreamError(
      `Salesforce bulk query job ${ref.jobId} ended ${job.state}${job.errorMessage ? `: ${job.errorMessage}` : ''}; expected JobComplete. Start the export again without a cursor`,
      {
        crm: api.crm,
        vendorCode: job.state === 'Aborted' ? 'BULK_JOB_ABORTED' : 'BULK_JOB_FAILED',
        details: { jobId: ref.jobId, state: job.state },
      },
    );
  }
  return job;
}

export interface ResultSet {
  rows: Record<string, string>[];
  /** The next set's locator; null after the last set (Salesforce's literal `null`). */
  next: string | null;
}

/** One set of a JobComplete job's results: up to `maxRecords` rows from `locator` (the first set without one). */
export async function queryResults(
  api: SalesforceApi,
  ref: QueryJobRef,
  locator: string | null,
  maxRecords: number,
): Promise<ResultSet> {
  const res = await gone(api, ref, () =>
    api.http.request<unknown>({
      method: 'GET',
      url: `${jobsPath('query', ref.version)}/${ref.jobId}/results`,
      query: { maxRecords, locator: locator ?? undefined },
      headers: { accept: 'text/csv' },
    }),
  );
  const header = res.headers['sforce-locator'];
  return { rows: parseCsv(res.text), next: !header || header === 'null' ? null : header };
}

/** A job Salesforce no longer has (deleted, or past its seven days) cannot be read on: UPSTREAM, not NOT_FOUND. */
async function gone<T>(api: SalesforceApi, ref: QueryJobRef, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (!(err instanceof CrmNotFoundError)) throw err;
    throw new CrmUpstreamError(
      `Salesforce bulk query job ${ref.jobId} is gone (404: deleted, or ended more than seven days ago); expected it to hold the export's results. Start the export again without a cursor`,
      { crm: api.crm, vendorCode: 'BULK_JOB_GONE', details: { jobId: ref.jobId }, cause: err },
    );
  }
}
