import { SfHttpError } from './errors';
import { type SfOrg } from './context';
import { csvLine, DELIMITERS, parseCsv } from './csv';
import { KEY_PREFIX, makeId } from './ids';
import { runSoql } from './query';
import { findField, findObject, type SfObject } from './schema';
import { type BulkJob } from './state';
import { type SaveResult } from './store';
import { formatDateTime } from './values';
import { SF_LIMITS } from './settings';
import { parseSoql } from './soql-parser';

/** Bulk 2.0 job bookkeeping and the in-memory processing of closed jobs. */

export const jobError = (status: number, errorCode: string, message: string): SfHttpError =>
  new SfHttpError(status, { errorCode, message });

export function newJob(
  org: SfOrg,
  kind: 'ingest' | 'query',
  version: string,
  userId: string,
  fields: Record<string, unknown>,
  data: string,
): BulkJob {
  const now = formatDateTime(org.now());
  const id = makeId(KEY_PREFIX.Job, ++org.state.counter, org.state.orgId.slice(5, 7));
  const job: BulkJob = {
    id,
    kind,
    version,
    data,
    completeAt: null,
    info: {
      id,
      ...fields,
      createdById: userId,
      createdDate: now,
      systemModstamp: now,
      concurrencyMode: 'Parallel',
      contentType: 'CSV',
      apiVersion: Number(version.slice(1)),
      jobType: kind === 'ingest' ? 'V2Ingest' : 'V2Query',
      numberRecordsProcessed: 0,
      retries: 0,
      totalProcessingTime: 0,
      ...(kind === 'ingest'
        ? { numberRecordsFailed: 0, apiActiveProcessingTime: 0, apexProcessingTime: 0 }
        : {}),
    },
  };
  org.state.jobs.set(id, job);
  return job;
}

const ENDED = new Set(['JobComplete', 'Failed', 'Aborted']);

/** Salesforce deletes a job seven days after it ends. */
export const expired = (org: SfOrg, job: BulkJob): boolean =>
  job.endedAt !== undefined && org.now() - job.endedAt >= SF_LIMITS.bulkJobRetentionMs;

/** A job of `kind`, or 404 — also for a job that ended more than seven days ago (deleted by then). */
export function findJob(org: SfOrg, kind: 'ingest' | 'query', id: string): BulkJob {
  let job = org.state.jobs.get(id);
  if (job && expired(org, job)) {
    org.state.jobs.delete(id);
    job = undefined;
  }
  if (!job || job.kind !== kind) throw jobError(404, 'NOT_FOUND', 'The requested resource does not exist');
  return job;
}

export function setState(org: SfOrg, job: BulkJob, state: string): void {
  job.info.state = state;
  job.info.systemModstamp = formatDateTime(org.now());
  if (ENDED.has(state)) job.endedAt = org.now();
}

/** Jobs process lazily: the first look after `completeAt` runs the work, so no timers outlive a test. */
export function advance(org: SfOrg, job: BulkJob): void {
  const state = job.info.state;
  if (job.completeAt === null || (state !== 'UploadComplete' && state !== 'InProgress')) return;
  if (org.now() < job.completeAt) {
    if (state === 'UploadComplete') setState(org, job, 'InProgress');
    return;
  }
  try {
    if (job.kind === 'ingest') processIngest(org, job);
    else processQuery(org, job);
    setState(org, job, 'JobComplete');
  } catch (err) {
    setState(org, job, 'Failed');
    if (job.kind === 'ingest') job.info.errorMessage = err instanceof Error ? err.message : String(err);
  }
  job.info.totalProcessingTime = org.state.settings.bulkProcessingMs;
}

export function delimiterOf(job: BulkJob): string {
  return DELIMITERS[String(job.info.columnDelimiter)] ?? ',';
}

export function eol(job: BulkJob): string {
  return job.info.lineEnding === 'CRLF' ? '\r\n' : '\n';
}

function processIngest(org: SfOrg, job: BulkJob): void {
  const obj = findObject(String(job.info.object), org.state.store.schema) as SfObject;
  const d = delimiterOf(job);
  const rows = parseCsv(job.data, d);
  const header = rows.shift() ?? [];
  const columns = header.map((name) => {
    const field = findField(obj, name);
    if (!field) throw new Error(`InvalidBatch : Field name not found : ${name}`);
    return field.name;
  });
  const op = String(job.info.operation);
  const extName = job.info.externalIdFieldName ? String(job.info.externalIdFieldName) : undefined;
  const store = org.state.store;
  const ctx = { userId: String(job.info.createdById), now: org.now(), mode: 'csv' as const };
  const ok: string[] = [csvLine(['sf__Id', 'sf__Created', ...header], d)];
  const bad: string[] = [csvLine(['sf__Id', 'sf__Error', ...header], d)];
  let failed = 0;
  for (const row of rows) {
    const fields: Record<string, unknown> = {};
    columns.forEach((name, i) => {
      const raw = row[i] ?? '';
      // Bulk semantics: an empty cell leaves the field alone; #N/A sets it to null.
      if (raw === '#N/A') fields[name] = null;
      else if (raw !== '') fields[name] = raw;
    });
    const id = typeof fields.Id === 'string' ? fields.Id : '';
    delete fields.Id;
    let result: SaveResult;
    if (op === 'insert') result = store.create(obj, fields, ctx);
    else if (op === 'update') result = id ? store.update(obj, id, fields, ctx) : missingId();
    else if (op === 'delete' || op === 'hardDelete') {
      result = id ? store.delete(obj, id, ctx) : missingId();
      if (op === 'hardDelete' && result.success) store.table(obj.name).delete(result.id);
    } else {
      const value = extName ? fields[extName] : undefined;
      const matches =
        value === undefined || value === null ? [] : store.findBy(obj.name, extName as string, String(value));
      if (matches.length > 1)
        result = {
          success: false,
          errors: [
            {
              errorCode: 'DUPLICATE_EXTERNAL_ID',
              message: `${String(extName)}: more than one record found for external id field`,
            },
          ],
        };
      else if (matches.length === 1) {
        const rest = { ...fields };
        delete rest[extName as string];
        result = store.update(obj, matches[0]!.Id as string, rest, ctx);
      } else result = store.create(obj, fields, ctx);
    }
    if (result.success) ok.push(csvLine([result.id, String(result.created), ...row], d));
    else {
      failed++;
      // Bulk 1.0's error-cell format; for 2.0 it is UNVERIFIED (docs/vendors/salesforce.md "Bulk API 2.0").
      const text = result.errors
        .map((e) => `${e.errorCode}:${e.message}:${(e.fields ?? []).join(',')} --`)
        .join(' ');
      bad.push(csvLine([result.success ? '' : (result.id ?? ''), text, ...row], d));
    }
  }
  const nl = eol(job);
  job.results = {
    successful: ok.join(nl) + nl,
    failed: bad.join(nl) + nl,
    unprocessed: csvLine(header, d) + nl,
  };
  job.info.numberRecordsProcessed = rows.length;
  job.info.numberRecordsFailed = failed;
}

function missingId(): SaveResult {
  return {
    success: false,
    errors: [
      { errorCode: 'MISSING_ARGUMENT', message: 'Id not specified in an update call', fields: ['Id'] },
    ],
  };
}

function cell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T.*\+0000$/.test(value))
    return value.replace('+0000', 'Z');
  return String(value);
}

function processQuery(org: SfOrg, job: BulkJob): void {
  const parsed = parseSoql(job.data);
  const outcome = runSoql(org, job.data, job.info.operation === 'queryAll', job.version);
  const paths = parsed.select.flatMap((s) => (s.kind === 'field' ? [s.path] : []));
  const d = delimiterOf(job);
  const lines = outcome.rows.map((row) =>
    csvLine(
      paths.map((path) => {
        let cur: unknown = row;
        for (const part of path.split('.')) {
          if (cur === null || typeof cur !== 'object') return '';
          const key = Object.keys(cur).find((k) => k.toLowerCase() === part.toLowerCase());
          cur = key ? (cur as Record<string, unknown>)[key] : undefined;
        }
        return cell(cur);
      }),
      d,
    ),
  );
  job.csvRows = { header: csvLine(paths, d), lines };
  job.info.numberRecordsProcessed = lines.length;
}
