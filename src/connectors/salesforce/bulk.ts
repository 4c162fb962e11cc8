import { SALESFORCE_API_VERSION } from './declaration';
import { type JobPoll, waitForJob } from '../async-job';
import { CrmUnavailableError, CrmUpstreamError } from '../../errors';
import { type BulkJobRef, type NativeValue, type RecordWrite, type WriteResult } from '../types';
import { type SalesforceApi } from './api-context';
import { bulkRecordError } from './errors';
import { parseCsv, toCsv } from './csv';
import { type WireIngestJob } from './wire.types';

/**
 * Bulk API 2.0 upsert by an external-id field (docs/vendors/salesforce.md "Bulk API 2.0"): create the job, upload one CSV, close it, poll
 * until it ends, read the success and failure files, and report one result per write.
 *
 * This goes through the shared client directly, not jsforce: jsforce's Bulk 2.0 pipes the CSV into a
 * request stream and polls on its own timers, neither of which fits a transport that sends text
 * through the budget gate. Five plain calls do.
 *
 * Only upserts come here: the results files echo the uploaded columns, and the external id is what
 * ties a result line back to its write (an insert has no such key). An upsert also makes the whole job
 * safe to run again, which is why a job that outlives `bulkTimeoutMs` fails retryably.
 */

/**
 * Where Bulk API 2.0 jobs of `kind` live, at the API version a job was created with (results must be
 * read at that version: docs/vendors/salesforce.md "Bulk API 2.0 query jobs").
 */
export function jobsPath(kind: 'ingest' | 'query', version: string = SALESFORCE_API_VERSION.data): string {
  return `/services/data/${version}/jobs/${kind}`;
}

const JOBS_PATH = jobsPath('ingest');
const TERMINAL = new Set<string>(['JobComplete', 'Failed', 'Aborted']);

/**
 * Polls `GET <jobUrl>` until the job ends or `api.settings.bulkTimeoutMs` would pass, sleeping
 * `bulkPollIntervalMs` first and multiplying the wait by `backoff` after each look, up to `maxWaitMs`
 * (the shared wait: `connectors/async-job.ts`).
 */
export function pollBulkJob<J extends { state: string }>(
  api: SalesforceApi,
  jobUrl: string,
  options: { backoff?: number; maxWaitMs?: number } = {},
): Promise<JobPoll<J>> {
  return waitForJob(
    async () => (await api.http.request<J>({ method: 'GET', url: jobUrl })).body,
    (job) => TERMINAL.has(job.state),
    {
      now: api.now,
      sleep: api.sleep,
      intervalMs: api.settings.bulkPollIntervalMs,
      timeoutMs: api.settings.bulkTimeoutMs,
      ...options,
    },
  );
}

/**
 * Starts the upsert job: created, its CSV uploaded, closed. Returns at once (the engine polls it
 * through a delayed job: {@link collectBulkUpsert}); the key field travels in the reference, since the
 * results are matched to their writes by it.
 */
export async function submitBulkUpsert(
  api: SalesforceApi,
  type: string,
  externalIdField: string,
  writes: readonly RecordWrite[],
): Promise<BulkJobRef> {
  const rows = writes.map((w) => {
    const row: Record<string, NativeValue> = {};
    for (const [k, v] of Object.entries(w.fields)) if (k.toLowerCase() !== 'id') row[k] = v;
    row[externalIdField] = w.externalId?.value ?? null;
    return row;
  });
  const columns = [externalIdField, ...new Set(rows.flatMap((r) => Object.keys(r)))].filter(
    (c, i, all) => all.indexOf(c) === i,
  );

  const created = await api.http.request<WireIngestJob>({
    method: 'POST',
    url: JOBS_PATH,
    json: {
      object: type,
      operation: 'upsert',
      externalIdFieldName: externalIdField,
      contentType: 'CSV',
      lineEnding: 'LF',
      columnDelimiter: 'COMMA',
    },
    // A duplicate empty job is harmless (it expires unused), so an unknown outcome may be resent.
    idempotent: true,
  });
  const jobId = created.body.id;
  if (typeof jobId !== 'string' || !/^[A-Za-z0-9]{15,18}$/.test(jobId))
    throw new CrmUpstreamError('Salesforce answered a bulk job without its id', { crm: api.crm });
  await api.http.request({
    method: 'PUT',
    url: `${JOBS_PATH}/${jobId}/batches`,
    headers: { 'content-type': 'text/csv' },
    body: toCsv(columns, rows),
  });
  await api.http.request({
    method: 'PATCH',
    url: `${JOBS_PATH}/${jobId}`,
    json: { state: 'UploadComplete' },
    idempotent: true,
  });
  return { id: jobId, field: externalIdField };
}

/** One look at a submitted upsert job: null while it runs; once it ended, one result per write. */
export async function collectBulkUpsert(
  api: SalesforceApi,
  ref: BulkJobRef,
  writes: readonly RecordWrite[],
): Promise<WriteResult[] | null> {
  if (!/^[A-Za-z0-9]{15,18}$/.test(ref.id) || !ref.field)
    throw new CrmUpstreamError(`not a Salesforce bulk job reference: ${JSON.stringify(ref)}`, {
      crm: api.crm,
    });
  const job = (await api.http.request<WireIngestJob>({ method: 'GET', url: `${JOBS_PATH}/${ref.id}` })).body;
  if (!TERMINAL.has(job.state)) return null;
  return upsertResults(api, job, ref.id, ref.field, writes);
}

export async function bulkUpsert(
  api: SalesforceApi,
  type: string,
  externalIdField: string,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const { id: jobId } = await submitBulkUpsert(api, type, externalIdField, writes);
  const { job, ended } = await pollBulkJob<WireIngestJob>(api, `${JOBS_PATH}/${jobId}`);
  if (!ended) {
    throw new CrmUnavailableError(
      `Salesforce bulk job ${jobId} is still ${job.state} after ${api.settings.bulkTimeoutMs} ms; the job upserts, so running the writes again is safe`,
      { crm: api.crm, retryAfterMs: api.settings.bulkPollIntervalMs, details: { jobId, state: job.state } },
    );
  }
  return upsertResults(api, job, jobId, externalIdField, writes);
}

/**
 * A Failed job keeps what it processed before failing (it is not rolled back): both files are read
 * whatever the end state, rows matched to writes by the external id, and what neither file names is
 * reported as not processed.
 */
async function upsertResults(
  api: SalesforceApi,
  job: WireIngestJob,
  jobId: string,
  externalIdField: string,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const successes = await resultFile(api, jobId, 'successfulResults');
  const failures = await resultFile(api, jobId, 'failedResults');
  const byExternalId = new Map<string, number[]>();
  writes.forEach((w, i) => {
    const key = w.externalId?.value ?? '';
    byExternalId.set(key, [...(byExternalId.get(key) ?? []), i]);
  });
  const results: (WriteResult | undefined)[] = new Array<WriteResult | undefined>(writes.length);
  const take = (row: Record<string, string>): number | undefined => {
    const queue = byExternalId.get(row[externalIdField] ?? '');
    return queue?.shift();
  };
  for (const row of successes) {
    const i = take(row);
    if (i !== undefined) {
      results[i] = {
        ref: writes[i].ref,
        ok: true,
        remoteId: row.sf__Id,
        created: row.sf__Created === 'true',
      };
    }
  }
  for (const row of failures) {
    const i = take(row);
    if (i !== undefined)
      results[i] = { ref: writes[i].ref, ok: false, error: bulkRecordError(row.sf__Error ?? '', api.crm) };
  }
  return writes.map(
    (w, i) =>
      results[i] ?? {
        ref: w.ref,
        ok: false,
        error: new CrmUpstreamError(
          `Salesforce bulk job ${jobId} ended ${job.state} without processing this record${job.errorMessage ? `: ${job.errorMessage}` : ''}`,
          { crm: api.crm, vendorCode: 'BULK_JOB_FAILED', details: { jobId, state: job.state } },
        ),
      },
  );
}

async function resultFile(
  api: SalesforceApi,
  jobId: string,
  file: 'successfulResults' | 'failedResults',
): Promise<Record<string, string>[]> {
  const res = await api.http.request<unknown>({
    method: 'GET',
    url: `${JOBS_PATH}/${jobId}/${file}`,
    headers: { accept: 'text/csv' },
  });
  return parseCsv(res.text);
}
