// Bulk Read (docs/vendors/zoho.md "Bulk Read and Bulk Write"): a job reads a module's records matching
// a criteria tree into a CSV, zipped; the client polls the job (ADDED, then COMPLETED once the org's
// clock passes the job's run time, setting `bulkReadMs`) or gets a callback, then downloads the zip.
import { type FastifyInstance } from 'fastify';
import { BULK_V8, type ModuleName } from './constants';
import { invalidData, requiredParam, ZohoError } from './errors';
import { fieldOf, MODULE_FIELDS, type FieldDef } from './fields';
import { apiRoute, type Answer, type CallContext } from './http';
import { jobCallbackOf, type JobCallback, sendJobCallback } from './job-callback';
import { moduleOf } from './modules';
import { zohoTime } from './render';
import { type ZohoOrg, type ZohoServer } from './state';
import { compareIds, type ZohoRecord } from './store';
import { literalValue, order, recordValue } from './values';
import { zipOne } from '../../zip';

export interface BulkCriteria {
  group_operator?: string;
  group?: BulkCriteria[];
  field?: { api_name?: string };
  comparator?: string;
  value?: unknown;
}

export interface BulkReadJob {
  id: string;
  module: ModuleName;
  fields: string[];
  criteria?: BulkCriteria;
  query: Record<string, unknown>;
  callback?: JobCallback;
  createdAt: number;
  runsAt: number;
  createdById: string;
  /** Set when the job has run: the zipped CSV and how many records it holds. */
  result?: { zip: Buffer; count: number };
  /** Runs the job at its time even if no one polls (so the callback goes out); cleared on close. */
  timer?: NodeJS.Timeout;
}

function fieldFor(module: ModuleName, name: unknown): FieldDef {
  const def = typeof name === 'string' ? fieldOf(module, name) : undefined;
  if (!def) throw invalidData('invalid field in the bulk read query', { api_name: name ?? null });
  return def;
}

/** Checks a criteria tree up front (field names, comparators), so a bad query fails at creation. */
function checkCriteria(module: ModuleName, c: BulkCriteria): void {
  if (c.group) {
    if (!['and', 'or'].includes(String(c.group_operator).toLowerCase()) || c.group.length === 0)
      throw invalidData('invalid criteria group', { api_name: 'group_operator' });
    c.group.forEach((g) => checkCriteria(module, g));
    return;
  }
  fieldFor(module, c.field?.api_name);
  if (!COMPARATORS.includes(String(c.comparator)))
    throw invalidData('invalid comparator', { api_name: 'comparator' });
}

const COMPARATORS = [
  'equal',
  'not_equal',
  'in',
  'not_in',
  'less_than',
  'less_equal',
  'greater_than',
  'greater_equal',
  'between',
  'not_between',
  'starts_with',
  'ends_with',
  'contains',
  'not_contains',
];

function matches(module: ModuleName, r: ZohoRecord, c: BulkCriteria): boolean {
  if (c.group) {
    const results = c.group.map((g) => matches(module, r, g));
    return String(c.group_operator).toLowerCase() === 'and' ? results.every(Boolean) : results.some(Boolean);
  }
  const def = fieldFor(module, c.field?.api_name);
  const v = recordValue(r, def);
  const values = (Array.isArray(c.value) ? c.value : [c.value]).map((x) => literalValue(def, x as string));
  const text = String(v ?? '').toLowerCase();
  const first = String(values[0] ?? '').toLowerCase();
  const d = v === null || values[0] === null || values[0] === undefined ? NaN : order(v, values[0]);
  const inRange = v !== null && values.length === 2 && order(v, values[0]!) >= 0 && order(v, values[1]!) <= 0;
  switch (c.comparator) {
    case 'equal':
      return d === 0;
    case 'not_equal':
      return d !== 0;
    case 'in':
      return v !== null && values.some((x) => order(v, x) === 0);
    case 'not_in':
      return v === null || !values.some((x) => order(v, x) === 0);
    case 'less_than':
      return d < 0;
    case 'less_equal':
      return d <= 0;
    case 'greater_than':
      return d > 0;
    case 'greater_equal':
      return d >= 0;
    case 'between':
      return inRange;
    case 'not_between':
      return !inRange;
    case 'starts_with':
      return v !== null && text.startsWith(first);
    case 'ends_with':
      return v !== null && text.endsWith(first);
    case 'contains':
      return v !== null && text.includes(first);
    default:
      return v === null || !text.includes(first);
  }
}

function csvCell(value: unknown): string {
  const raw =
    value === null || value === undefined
      ? ''
      : typeof value === 'object'
        ? String((value as { id?: unknown }).id ?? '')
        : String(value);
  return /[",\r\n]/.test(raw) ? `"${raw.replace(/"/g, '""')}"` : raw;
}

/** A record's CSV value of a field: lookups and users by id, datetimes as the API writes them. */
function csvValue(r: ZohoRecord, def: FieldDef): unknown {
  if (def.api_name === 'id') return r.id;
  if (def.api_name === 'Created_Time') return zohoTime(r.createdTime);
  if (def.api_name === 'Modified_Time') return zohoTime(r.modifiedTime);
  const v = recordValue(r, def);
  return typeof v === 'bigint' ? v.toString() : v;
}

/** Runs a due job: its CSV (header row of API names, `id` first) in a zip named after the job. */
function run(org: ZohoOrg, job: BulkReadJob): void {
  clearTimeout(job.timer);
  const defs = job.fields.map((f) => fieldFor(job.module, f));
  const rows = org.state.store
    .all(job.module)
    .filter((r) => !job.criteria || matches(job.module, r, job.criteria))
    .sort((a, b) => compareIds(a.id, b.id));
  const lines = [['id', ...job.fields].join(',')];
  for (const r of rows) lines.push([r.id, ...defs.map((d) => csvCell(csvValue(r, d)))].join(','));
  job.result = {
    zip: zipOne(`${job.id}.csv`, Buffer.from(`${lines.join('\n')}\n`, 'utf8')),
    count: rows.length,
  };
  if (job.callback) {
    sendJobCallback(job.callback, {
      job_id: job.id,
      operation: 'read',
      state: 'COMPLETED',
      query: job.query,
    });
  }
}

/** The job, run first when its time has come on the org's clock. */
function due(ctx: CallContext): BulkReadJob {
  const job = ctx.org.state.bulkReads.get(ctx.params.job ?? '');
  if (!job)
    throw new ZohoError(404, 'RESOURCE_NOT_FOUND', 'The requested resource is not found', {
      resource: 'job_id',
    });
  if (!job.result && ctx.org.now() >= job.runsAt) run(ctx.org, job);
  return job;
}

function statusOf(job: BulkReadJob, ctx: CallContext): Record<string, unknown> {
  const store = ctx.org.state.store;
  return {
    id: job.id,
    operation: 'read',
    state: job.result ? 'COMPLETED' : 'ADDED',
    query: job.query,
    created_by: { id: job.createdById, name: store.user(job.createdById)?.full_name ?? null },
    created_time: zohoTime(job.createdAt),
    file_type: 'csv',
    ...(job.result
      ? {
          result: {
            page: 1,
            count: job.result.count,
            download_url: `${BULK_V8}/read/${job.id}/result`,
            per_page: 200_000,
            more_records: false,
            next_page_token: null,
          },
        }
      : {}),
  };
}

function create(ctx: CallContext): Answer {
  const body = (ctx.body ?? {}) as {
    query?: Record<string, unknown>;
    callback?: { url?: unknown; method?: unknown };
  };
  const query = body.query;
  if (!query) throw requiredParam('query');
  const moduleName = (query.module as { api_name?: unknown } | undefined)?.api_name;
  if (typeof moduleName !== 'string') throw requiredParam('module');
  const module = moduleOf(moduleName);
  const fields = Array.isArray(query.fields)
    ? (query.fields as unknown[]).map(String)
    : MODULE_FIELDS[module].map((f) => f.api_name);
  fields.forEach((f) => fieldFor(module, f));
  const criteria = query.criteria as BulkCriteria | undefined;
  if (criteria) checkCriteria(module, criteria);
  const callback = jobCallbackOf(body.callback);
  const org = ctx.org;
  const now = org.now();
  const job: BulkReadJob = {
    id: org.state.store.nextId(),
    module,
    fields: fields.filter((f) => f !== 'id'),
    criteria,
    query,
    callback,
    createdAt: now,
    runsAt: now + org.state.settings.bulkReadMs,
    createdById: ctx.userId,
  };
  org.state.bulkReads.set(job.id, job);
  if (org.state.settings.bulkReadMs === 0) run(org, job);
  else {
    job.timer = setTimeout(() => {
      if (!job.result) run(org, job);
    }, org.state.settings.bulkReadMs);
    job.timer.unref();
  }
  const createdBy = { id: ctx.userId, name: org.state.store.user(ctx.userId)?.full_name ?? null };
  return {
    status: 201,
    body: {
      data: [
        {
          status: 'success',
          code: 'ADDED_SUCCESSFULLY',
          message: 'Added successfully.',
          details: {
            id: job.id,
            operation: 'read',
            state: 'ADDED',
            created_by: createdBy,
            created_time: zohoTime(now),
          },
        },
      ],
      info: {},
    },
  };
}

export function registerBulkReadRoutes(app: FastifyInstance, server: ZohoServer): void {
  apiRoute(app, server, { method: 'POST', path: '/read', root: BULK_V8 }, create);
  apiRoute(app, server, { method: 'GET', path: '/read/:job', root: BULK_V8 }, (ctx) => ({
    body: { data: [statusOf(due(ctx), ctx)] },
  }));
  apiRoute(app, server, { method: 'GET', path: '/read/:job/result', root: BULK_V8 }, (ctx) => {
    const job = due(ctx);
    if (!job.result)
      throw new ZohoError(404, 'RESOURCE_NOT_FOUND', 'The requested resource is not found', {
        resource: 'result',
      });
    return { raw: { type: 'application/zip', data: job.result.zip } };
  });
}

/** Stops the timers of an org's pending jobs (server close, org reset). */
export function stopBulkReads(jobs: ReadonlyMap<string, BulkReadJob>): void {
  for (const job of jobs.values()) clearTimeout(job.timer);
}
