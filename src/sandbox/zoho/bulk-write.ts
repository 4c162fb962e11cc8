// Bulk Write (docs/vendors/zoho.md "Bulk Write"): a zip holding one CSV is uploaded to the DC's file
// host (`feature: bulk-write`, `X-CRM-ORG` naming the org) for a `file_id`; a job names that file, the
// module, the operation (insert, update, upsert), the column → field mappings and, to update, the field
// records are found by. The job is ADDED, then IN PROGRESS, then COMPLETED (or FAILED) on the org's
// clock (setting `bulkWriteMs`); its rows go through the same checks as the REST writes, so a bad row
// fails in the result CSV with the REST write's error code. The result is a zip of the first three
// mapped columns plus STATUS, RECORD_ID and ERRORS, one row per input row in order.
import { type FastifyInstance } from 'fastify';
import { ZipError, unzipOne, zipOne } from '../../zip';
import { csvLine, parseCsv } from '../core/csv';
import { BULK_V8, BULK_WRITE, CONTENT, CRM_V8, MODULES, type ModuleName } from './constants';
import { invalidData, requiredParam, ZohoError, type RecordOutcome } from './errors';
import { fieldOf, type FieldDef } from './fields';
import { formBoundary, formFile } from './form-data';
import { apiRoute, type Answer, type CallContext } from './http';
import { jobCallbackOf, type JobCallback, sendJobCallback } from './job-callback';
import { zohoTime } from './render';
import { type ZohoOrg, type ZohoServer } from './state';
import { type ZohoRecord } from './store';
import { dcBase } from './urls';
import { createRecord, updateRecord, upsertMatch, type Writer } from './writes';

export type BulkWriteOperation = 'insert' | 'update' | 'upsert';

export interface BulkFile {
  id: string;
  name: string;
  csv: string;
  createdAt: number;
}

interface Mapping {
  api_name: string;
  index: number;
}

export interface BulkWriteJob {
  id: string;
  operation: BulkWriteOperation;
  module: ModuleName;
  file: BulkFile;
  mappings: Mapping[];
  findBy?: string;
  ignoreEmpty: boolean;
  callback?: JobCallback;
  createdAt: number;
  runsAt: number;
  createdById: string;
  /** Set when the job has run. */
  result?: {
    state: 'COMPLETED' | 'FAILED';
    counts: { added: number; updated: number; skipped: number; total: number };
    zip?: Buffer;
  };
  timer?: NodeJS.Timeout;
}

const OPERATIONS: readonly BulkWriteOperation[] = ['insert', 'update', 'upsert'];

function notFound(resource: string): ZohoError {
  return new ZohoError(404, 'RESOURCE_NOT_FOUND', 'The requested resource is not found', { resource });
}

// ---- upload (file host) ----

function upload(ctx: CallContext): Answer {
  const settings = ctx.org.state.settings;
  const at = zohoTime(ctx.org.now());
  if (String(ctx.request.headers.feature ?? '') !== 'bulk-write')
    throw new ZohoError(400, 'NOT_SUPPORTED_FEATURE', 'Feature is not supported', { created_time: at });
  const zgid = String(ctx.request.headers['x-crm-org'] ?? '');
  // The header names the org the file belongs to: it must be the token's own.
  if (zgid !== ctx.org.state.orgId)
    throw new ZohoError(400, 'INVALID_DATA', 'the X-CRM-ORG header does not name your organization', {
      param_name: 'X-CRM-ORG',
    });
  const boundary = formBoundary(ctx.request.headers['content-type']);
  const body = Buffer.isBuffer(ctx.body) ? ctx.body : undefined;
  const file = boundary && body ? formFile(body, boundary, 'file') : undefined;
  if (!file) throw requiredParam('file');
  if (file.length > settings.bulkWriteMaxFileBytes) throw fileTooLarge();
  let csv: { name: string; content: Buffer };
  try {
    csv = unzipOne(file, settings.bulkWriteMaxFileBytes);
  } catch (err) {
    if (err instanceof ZipError && err.reason === 'too_large') throw fileTooLarge();
    throw new ZohoError(400, 'INVALID_FILE_FORMAT', 'invalid file format. only zip format is supported', {
      created_time: at,
    });
  }
  const stored: BulkFile = {
    id: ctx.org.state.store.nextId(),
    name: csv.name,
    csv: csv.content.toString('utf8'),
    createdAt: ctx.org.now(),
  };
  ctx.org.state.bulkFiles.set(stored.id, stored);
  return {
    body: {
      code: 'FILE_UPLOAD_SUCCESS',
      details: { created_time: at, file_id: stored.id },
      message: 'file uploaded.',
      status: 'success',
    },
  };
}

export function fileTooLarge(): ZohoError {
  return new ZohoError(413, 'FILE_TOO_LARGE', 'The file size is too large to process', {
    limit: BULK_WRITE.maxFileBytes,
  });
}

// ---- create ----

interface ResourceInput {
  type?: unknown;
  module?: { api_name?: unknown };
  file_id?: unknown;
  field_mappings?: unknown;
  find_by?: unknown;
}

function bodyError(message: string, path: string, apiName: string): ZohoError {
  return invalidData(message, { api_name: apiName, json_path: path });
}

function mappingsOf(module: ModuleName, raw: unknown, header: string[]): Mapping[] {
  if (raw === undefined) {
    // No mappings: the header row names the fields.
    return header.map((h, index) => {
      if (!fieldOf(module, h)) throw bodyError('invalid field in the file header', '$.resource[0]', h);
      return { api_name: h, index };
    });
  }
  if (!Array.isArray(raw) || raw.length === 0)
    throw bodyError('invalid field mappings', '$.resource[0].field_mappings', 'field_mappings');
  return raw.map((m: unknown, i) => {
    const { api_name: name, index } = (m ?? {}) as { api_name?: unknown; index?: unknown };
    const path = `$.resource[0].field_mappings[${i}]`;
    if (typeof name !== 'string' || !fieldOf(module, name))
      throw bodyError('the field api name given seems to be invalid', `${path}.api_name`, String(name));
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= header.length)
      throw bodyError('the column index given seems to be invalid', `${path}.index`, name);
    return { api_name: name, index };
  });
}

function create(ctx: CallContext): Answer {
  const body = (ctx.body ?? {}) as {
    operation?: unknown;
    ignore_empty?: unknown;
    callback?: { url?: unknown; method?: unknown };
    resource?: unknown;
  };
  if (body.operation === undefined) throw requiredParam('operation');
  const operation = body.operation as BulkWriteOperation;
  if (!OPERATIONS.includes(operation))
    throw invalidData('invalid operation', { api_name: 'operation', supported_values: OPERATIONS });
  if (body.resource === undefined) throw requiredParam('resource');
  // One module per job: Zoho's parent-child imports (subforms, linking modules) are not simulated.
  if (!Array.isArray(body.resource) || body.resource.length !== 1)
    throw invalidData('invalid resource', { api_name: 'resource', json_path: '$.resource' });
  const resource = (body.resource[0] ?? {}) as ResourceInput;
  if (resource.type !== 'data') throw bodyError('invalid resource type', '$.resource[0].type', 'type');
  const moduleName = resource.module?.api_name;
  const module = MODULES.find(
    (m) => typeof moduleName === 'string' && m.toLowerCase() === moduleName.toLowerCase(),
  );
  if (!module)
    throw new ZohoError(400, 'INVALID_MODULE', 'the module name given seems to be invalid', {
      api_name: 'module',
      json_path: '$.resource[0].module',
    });
  // Files are the org's own: another org's file id is as unknown here as a made-up one.
  const file =
    typeof resource.file_id === 'string' ? ctx.org.state.bulkFiles.get(resource.file_id) : undefined;
  if (!file) throw bodyError('the file id given seems to be invalid', '$.resource[0].file_id', 'file_id');
  const header = parseCsv(file.csv.slice(0, file.csv.search(/\r?\n|$/)))[0] ?? [];
  const mappings = mappingsOf(module, resource.field_mappings, header);
  let findBy: string | undefined;
  if (operation !== 'insert') {
    if (typeof resource.find_by !== 'string')
      throw new ZohoError(400, 'MANDATORY_NOT_FOUND', 'required field not found', {
        api_name: 'find_by',
        json_path: '$.resource[0].find_by',
      });
    const def = fieldOf(module, resource.find_by);
    // Records are found by id or by a unique field, which the mappings must carry.
    if (!def || !(def.api_name === 'id' || def.unique) || !mappings.some((m) => m.api_name === def.api_name))
      throw bodyError('invalid find_by field', '$.resource[0].find_by', resource.find_by);
    findBy = def.api_name;
  }
  const callback = jobCallbackOf(body.callback);
  const org = ctx.org;
  const now = org.now();
  const job: BulkWriteJob = {
    id: org.state.store.nextId(),
    operation,
    module,
    file,
    mappings,
    findBy,
    ignoreEmpty: body.ignore_empty === true,
    callback,
    createdAt: now,
    runsAt: now + org.state.settings.bulkWriteMs,
    createdById: ctx.userId,
  };
  org.state.bulkWrites.set(job.id, job);
  const origin = dcBase(ctx.request, ctx.dc);
  if (org.state.settings.bulkWriteMs === 0) run(org, job, origin);
  else {
    job.timer = setTimeout(() => {
      if (!job.result) run(org, job, origin);
    }, org.state.settings.bulkWriteMs);
    job.timer.unref();
  }
  return {
    status: 201,
    body: {
      status: 'success',
      code: 'ADDED_SUCCESSFULLY',
      message: 'Added successfully.',
      details: {
        id: job.id,
        created_by: { id: ctx.userId, name: org.state.store.user(ctx.userId)?.full_name ?? null },
      },
    },
  };
}

// ---- run ----

/** A CSV cell as the JSON value the REST write would carry, by the field's type. */
function cellValue(def: FieldDef, cell: string): unknown {
  switch (def.data_type) {
    case 'currency':
    case 'integer':
      return /^-?\d+(\.\d+)?$/.test(cell) ? Number(cell) : cell;
    case 'boolean':
      return cell === 'true' ? true : cell === 'false' ? false : cell;
    case 'lookup':
    case 'ownerlookup':
      return { id: cell };
    default:
      return cell;
  }
}

/** One row as a REST write's record: mapped columns by field, empty cells null (or left out). */
function rowInput(job: BulkWriteJob, row: string[]): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const m of job.mappings) {
    const cell = row[m.index] ?? '';
    if (cell === '') {
      if (!job.ignoreEmpty) input[m.api_name] = null;
      continue;
    }
    input[m.api_name] = m.api_name === 'id' ? cell : cellValue(fieldOf(job.module, m.api_name)!, cell);
  }
  return input;
}

type RowResult = { status: 'ADDED' | 'UPDATED' | 'SKIPPED'; id: string; errors: string };

function rowResult(out: RecordOutcome, status: 'ADDED' | 'UPDATED'): RowResult {
  if (out.status === 'success') return { status, id: String(out.details.id ?? ''), errors: '' };
  // `<code>-<column>`, as the result file writes a row's error.
  const column = typeof out.details.api_name === 'string' ? out.details.api_name : '';
  return { status: 'SKIPPED', id: '', errors: column ? `${out.code}-${column}` : out.code };
}

function applyRow(w: Writer, job: BulkWriteJob, input: Record<string, unknown>, i: number): RowResult {
  if (job.operation === 'insert') {
    const { id: _ignored, ...fields } = input;
    return rowResult(createRecord(w, job.module, fields, i), 'ADDED');
  }
  const key = job.findBy!;
  const match: ZohoRecord | undefined =
    key === 'id'
      ? typeof input.id === 'string'
        ? w.store.get(job.module, input.id)
        : undefined
      : upsertMatch(w.store, job.module, { [key]: input[key] }, [key])?.record;
  if (match) {
    const { id: _ignored, ...fields } = input;
    return rowResult(updateRecord(w, match, fields, i), 'UPDATED');
  }
  if (job.operation === 'update' || key === 'id')
    return { status: 'SKIPPED', id: '', errors: `RESOURCE_NOT_FOUND-${key}` };
  const { id: _ignored, ...fields } = input;
  return rowResult(createRecord(w, job.module, fields, i), 'ADDED');
}

/** Runs a due job: each row through the REST write's checks, then the result zip and the callback. */
function run(org: ZohoOrg, job: BulkWriteJob, origin: string): void {
  clearTimeout(job.timer);
  const [, ...rows] = parseCsv(job.file.csv);
  const counts = { added: 0, updated: 0, skipped: 0, total: rows.length };
  if (rows.length > org.state.settings.bulkWriteMaxRows) {
    // Too many records: the file is refused whole, nothing is written.
    job.result = { state: 'FAILED', counts: { ...counts, skipped: rows.length } };
  } else {
    const w: Writer = { store: org.state.store, userId: job.createdById };
    const shown = job.mappings.slice(0, 3);
    const lines = [csvLine([...shown.map((m) => m.api_name), 'STATUS', 'RECORD_ID', 'ERRORS'])];
    rows.forEach((row, i) => {
      const r = applyRow(w, job, rowInput(job, row), i);
      counts[r.status === 'ADDED' ? 'added' : r.status === 'UPDATED' ? 'updated' : 'skipped']++;
      lines.push(csvLine([...shown.map((m) => row[m.index] ?? ''), r.status, r.id, r.errors]));
    });
    const csv = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    job.result = { state: 'COMPLETED', counts, zip: zipOne(`${job.module}-bulkwrite.csv`, csv) };
  }
  if (job.callback) sendJobCallback(job.callback, statusOf(org, job, origin));
}

// ---- status, result ----

function stateOf(org: ZohoOrg, job: BulkWriteJob): string {
  if (job.result) return job.result.state;
  return org.now() >= job.createdAt + (job.runsAt - job.createdAt) / 2 ? 'IN PROGRESS' : 'ADDED';
}

function resultPath(job: BulkWriteJob): string {
  return `/${CONTENT}${CRM_V8}/bulk-write/${job.id}/${job.id}.zip`;
}

export function statusOf(org: ZohoOrg, job: BulkWriteJob, origin: string): Record<string, unknown> {
  const state = stateOf(org, job);
  const c = job.result?.counts;
  return {
    status: state,
    character_encoding: 'UTF-8',
    resource: [
      {
        status: state,
        type: 'data',
        module: { api_name: job.module },
        field_mappings: job.mappings,
        ...(job.findBy ? { find_by: job.findBy } : {}),
        file: {
          status: state,
          name: job.file.name,
          added_count: c?.added ?? 0,
          skipped_count: c?.skipped ?? 0,
          updated_count: c?.updated ?? 0,
          total_count: c?.total ?? 0,
        },
      },
    ],
    id: job.id,
    ...(job.result?.zip ? { result: { download_url: `${origin}${resultPath(job)}` } } : {}),
    created_by: { id: job.createdById, name: org.state.store.user(job.createdById)?.full_name ?? null },
    operation: job.operation,
    created_time: zohoTime(job.createdAt),
  };
}

/** The org's job, run first when its time has come on the org's clock. */
function due(ctx: CallContext): BulkWriteJob {
  const job = ctx.org.state.bulkWrites.get(ctx.params.job ?? '');
  if (!job) throw notFound('job_id');
  if (!job.result && ctx.org.now() >= job.runsAt) run(ctx.org, job, dcBase(ctx.request, ctx.dc));
  return job;
}

export function registerBulkWriteRoutes(app: FastifyInstance, server: ZohoServer): void {
  // The upload is multipart with a binary part: read as bytes here, not as the text other routes take.
  void app.register(async (files) => {
    files.removeContentTypeParser('multipart/form-data');
    files.addContentTypeParser('multipart/form-data', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    apiRoute(
      files,
      server,
      {
        method: 'POST',
        path: BULK_WRITE.uploadPath.slice(CRM_V8.length),
        host: CONTENT,
        // Room for the largest file and its multipart framing; past it, FILE_TOO_LARGE (vendor.ts).
        bodyLimit: BULK_WRITE.maxFileBytes + 64 * 1024,
        // UNVERIFIED: the docs price the job, not the upload.
        credits: 0,
      },
      upload,
    );
  });
  apiRoute(
    app,
    server,
    { method: 'POST', path: '/write', root: BULK_V8, credits: BULK_WRITE.jobCredits },
    create,
  );
  apiRoute(app, server, { method: 'GET', path: '/write/:job', root: BULK_V8 }, (ctx) => ({
    body: statusOf(ctx.org, due(ctx), dcBase(ctx.request, ctx.dc)),
  }));
  apiRoute(
    app,
    server,
    { method: 'GET', path: '/bulk-write/:job/:file', host: CONTENT, credits: 0 },
    (ctx) => {
      const job = due(ctx);
      if (!job.result?.zip || ctx.params.file !== `${job.id}.zip`) throw notFound('result');
      return { raw: { type: 'application/zip', data: job.result.zip } };
    },
  );
}

/** Stops the timers of an org's pending jobs (server close, org reset). */
export function stopBulkWrites(jobs: ReadonlyMap<string, BulkWriteJob>): void {
  for (const job of jobs.values()) clearTimeout(job.timer);
}
