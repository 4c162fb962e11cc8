import crypto from 'node:crypto';
import { CrmUnavailableError, CrmUpstreamError } from '../../errors';
import { unzipOne, zipOne } from '../../zip';
import { waitForJob } from '../async-job';
import { csvText, parseCsv } from '../csv';
import { type BulkJobRef, type CrmObject, type RecordWrite, type WriteResult } from '../types';
import { type ZohoApi } from './api-context';
import { ENDPOINT } from './declaration';
import { orgOf } from './org';
import { zohoRequest } from './request';
import { resultOf } from './write-results';
import { BULK_WRITE, CRM, MODULES, PATHS } from './zoho.constants';

/**
 * One group of writes as a Bulk Write job (docs/vendors/zoho.md "Bulk Write", "Connector: writes"):
 * the rows as a CSV zipped and uploaded to the DC's file host, a job naming that file, the module, the
 * operation and the field records are found by, polled with the shared job wait until it ends, then
 * the result zip read back — one row per input row, in input order — into one result per write.
 *
 * Only updates (found by `id`) and keyed upserts (found by the unique gateway key) come here: both
 * apply once however often they run, so a job that outlives `bulkTimeoutMs` fails retryably and a
 * resent job does no harm. Plain inserts never do (a second run would duplicate them).
 */

export interface BulkGroup {
  operation: 'update' | 'upsert';
  /** `id` for updates, the unique key field for upserts: the file's first column. */
  findBy: string;
  writes: readonly RecordWrite[];
  /** Each write's wire body (`toWireBody`), the key included. */
  bodies: readonly Record<string, unknown>[];
}

interface WireJob {
  status?: string;
  id?: string;
  result?: { download_url?: string };
  resource?: { status?: string; file?: { total_count?: number } }[];
}

const ENDED = new Set(['COMPLETED', 'FAILED']);

/** A wire value as a CSV cell: lookups by id, multi-select values `;`-joined, null as empty. */
function cellOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map(cellOf).join(';');
  if (typeof value === 'object') return cellOf((value as { id?: unknown }).id);
  return String(value as string | number | boolean);
}

function csvOf(group: BulkGroup): { csv: string; columns: string[] } {
  const columns = [group.findBy];
  for (const body of group.bodies)
    for (const k of Object.keys(body)) if (!columns.includes(k)) columns.push(k);
  const lines = [columns.map(csvText).join(',')];
  for (const body of group.bodies) lines.push(columns.map((c) => csvText(cellOf(body[c]))).join(','));
  return { csv: `${lines.join('\n')}\n`, columns };
}

function multipart(zip: Buffer, fileName: string): { body: Buffer; contentType: string } {
  const boundary = `----zoho-bulk-${crypto.randomBytes(12).toString('hex')}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/zip\r\n\r\n`,
  );
  return {
    body: Buffer.concat([head, zip, Buffer.from(`\r\n--${boundary}--\r\n`)]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * The result's download URL, sent our token only where it is Zoho's: the DC's own file host or API
 * domain (the sandbox serves both), or a `download…` host of the DC's own domain (production).
 */
function trustedDownload(api: ZohoApi, raw: unknown, jobId: string): string {
  const fail = (): never => {
    throw new CrmUpstreamError(`Zoho CRM named no download URL of its own for Bulk Write job ${jobId}`, {
      crm: CRM,
      vendorCode: 'BULK_RESULT_URL',
    });
  };
  if (typeof raw !== 'string') return fail();
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail();
  }
  const own = [api.dc.hosts.content, api.dc.hosts.api].some((h) => raw.startsWith(`${h}/`));
  const domain = new URL(api.dc.hosts.accounts).hostname.replace(/^accounts\./, '');
  const download =
    url.protocol === 'https:' &&
    new RegExp(`^download[a-z0-9-]*\\.${domain.replace(/\./g, '\\.')}$`).test(url.hostname);
  return own || download ? url.toString() : fail();
}

async function upload(api: ZohoApi, obj: CrmObject, csv: string): Promise<string> {
  const { zgid } = await orgOf(api);
  const { body, contentType } = multipart(
    zipOne(`${MODULES[obj]}.csv`, Buffer.from(csv, 'utf8')),
    `${MODULES[obj]}.zip`,
  );
  const res = await zohoRequest<{ details: { file_id?: string } }>(api, ENDPOINT.bulkFile, {
    method: 'POST',
    url: `${api.dc.hosts.content}${PATHS.upload}`,
    headers: { 'content-type': contentType, feature: 'bulk-write', 'X-CRM-ORG': zgid },
    body,
    // An unused upload is harmless: resending one whose answer was lost only leaves a spare file.
    idempotent: true,
  });
  const fileId = res.details?.file_id;
  if (typeof fileId !== 'string' || fileId === '')
    throw new CrmUpstreamError('Zoho CRM answered a Bulk Write upload without a file_id', { crm: CRM });
  return fileId;
}

/** The job's id as Zoho states it (digits), or a typed refusal. */
function jobIdOf(raw: unknown): string {
  if (typeof raw !== 'string' || !/^\d+$/.test(raw))
    throw new CrmUpstreamError('Zoho CRM answered a Bulk Write job without its id', { crm: CRM });
  return raw;
}

/**
 * Starts the job: the file uploaded, the job created. Returns at once (the engine polls it through a
 * delayed job: {@link collectBulkWrite}); `findBy` travels in the reference, so the results can be
 * matched to their writes by key.
 */
export async function submitBulkWrite(api: ZohoApi, obj: CrmObject, group: BulkGroup): Promise<BulkJobRef> {
  const { csv, columns } = csvOf(group);
  const fileId = await upload(api, obj, csv);
  const created = await zohoRequest<{ details: { id?: string } }>(api, ENDPOINT.bulkWrite, {
    method: 'POST',
    url: PATHS.bulkWrite,
    json: {
      operation: group.operation,
      resource: [
        {
          type: 'data',
          module: { api_name: MODULES[obj] },
          file_id: fileId,
          find_by: group.findBy,
          field_mappings: columns.map((api_name, index) => ({ api_name, index })),
        },
      ],
    },
    // Updates and keyed upserts: a job run twice writes the same.
    idempotent: true,
  });
  return { id: jobIdOf(created.details?.id), findBy: group.findBy, operation: group.operation };
}

function lookAt(api: ZohoApi, jobId: string): Promise<WireJob> {
  return zohoRequest<WireJob>(api, ENDPOINT.bulkFile, { method: 'GET', url: `${PATHS.bulkWrite}/${jobId}` });
}

/**
 * One look at a submitted job: null while it runs; once it ended, one result per write of `writes`
 * (any of the submitted ones, matched to their result rows by their `findBy` key).
 */
export async function collectBulkWrite(
  api: ZohoApi,
  ref: BulkJobRef,
  writes: readonly RecordWrite[],
): Promise<WriteResult[] | null> {
  const jobId = jobIdOf(ref.id);
  const job = await lookAt(api, jobId);
  if (!ENDED.has(job.status ?? '')) return null;
  return resultsOf(api, job, jobId, ref.findBy ?? 'id', writes);
}

/** Submit, wait in this call until the job ends (`bulkTimeoutMs`), and read the results. */
export async function bulkWrite(api: ZohoApi, obj: CrmObject, group: BulkGroup): Promise<WriteResult[]> {
  const ref = await submitBulkWrite(api, obj, group);
  const jobId = ref.id;
  const timeoutMs = api.settings.bulkTimeoutMs ?? 600_000;
  const { job, ended } = await waitForJob(
    () => lookAt(api, jobId),
    (j) => ENDED.has(j.status ?? ''),
    { now: api.now, sleep: api.sleep, intervalMs: api.settings.bulkPollIntervalMs ?? 2000, timeoutMs },
  );
  if (!ended) {
    throw new CrmUnavailableError(
      `Zoho CRM Bulk Write job ${jobId} is still ${job.status ?? 'pending'} after ${timeoutMs} ms; the job updates or upserts, so running the writes again is safe`,
      {
        crm: CRM,
        retryAfterMs: api.settings.bulkPollIntervalMs ?? 2000,
        details: { jobId, state: job.status },
      },
    );
  }
  return resultsOf(api, job, jobId, group.findBy, group.writes);
}

async function resultsOf(
  api: ZohoApi,
  job: WireJob,
  jobId: string,
  findBy: string,
  writes: readonly RecordWrite[],
): Promise<WriteResult[]> {
  const state = job.status ?? '';
  const rows = state === 'COMPLETED' ? await resultRows(api, job, jobId) : [];
  const keyOf = (w: RecordWrite) => (findBy === 'id' ? w.remoteId : w.externalId?.value);
  // Rows by their key (the file's first column): a caller may ask for some of the submitted writes.
  const byKey = new Map<string, Record<string, string>[]>();
  for (const row of rows) {
    const key = row[findBy];
    if (key !== undefined) byKey.set(key, [...(byKey.get(key) ?? []), row]);
  }
  return writes.map((w, i) => {
    const key = keyOf(w);
    const row = rows[0]?.[findBy] === undefined ? rows[i] : key ? byKey.get(key)?.shift() : undefined;
    return rowResult(w, row, key, jobId, state);
  });
}

async function resultRows(api: ZohoApi, job: WireJob, jobId: string): Promise<Record<string, string>[]> {
  const url = trustedDownload(api, job.result?.download_url, jobId);
  const res = await api.http.request<unknown>({
    method: 'GET',
    url,
    endpoint: ENDPOINT.bulkFile,
    headers: { accept: 'application/zip' },
  });
  if (!res.bytes)
    throw new CrmUpstreamError(`Zoho CRM Bulk Write job ${jobId}: no result file`, { crm: CRM });
  try {
    return parseCsv(unzipOne(res.bytes, BULK_WRITE.maxResultBytes).content.toString('utf8'));
  } catch (err) {
    throw new CrmUpstreamError(
      `Zoho CRM Bulk Write job ${jobId}: unreadable result file (${(err as Error).message})`,
      {
        crm: CRM,
      },
    );
  }
}

/**
 * A result row as the REST path's per-record item, typed the same way (`write-results.ts`):
 * ADDED/UPDATED with RECORD_ID succeed; SKIPPED or UNPROCESSED carry `<code>-<column>` errors.
 */
function rowResult(
  write: RecordWrite,
  row: Record<string, string> | undefined,
  key: string | undefined,
  jobId: string,
  state: string,
): WriteResult {
  if (!row || key === undefined) {
    return {
      ref: write.ref,
      ok: false,
      error: new CrmUpstreamError(
        `Zoho CRM Bulk Write job ${jobId} ended ${state} without a result row for this record`,
        { crm: CRM, vendorCode: 'BULK_JOB_FAILED', details: { jobId, state } },
      ),
    };
  }
  const status = row.STATUS ?? '';
  if ((status === 'ADDED' || status === 'UPDATED') && row.RECORD_ID) {
    return resultOf(
      write.ref,
      { status: 'success', code: 'SUCCESS', details: { id: row.RECORD_ID } },
      write.remoteId,
      status === 'ADDED',
    );
  }
  // `CODE-column`, several joined by `:`; the first names the failure.
  const first = (row.ERRORS ?? '').split(':')[0] ?? '';
  const dash = first.indexOf('-');
  const code = dash === -1 ? first || 'CANNOT_PROCESS' : first.slice(0, dash);
  const column = dash === -1 ? undefined : first.slice(dash + 1).split(',')[0];
  return resultOf(
    write.ref,
    {
      status: 'error',
      code,
      message: `bulk write row ${status || 'not processed'}`,
      details: column ? { api_name: column } : {},
    },
    write.remoteId,
  );
}
