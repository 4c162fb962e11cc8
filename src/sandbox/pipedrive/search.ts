// v2 search of persons and deals (docs/vendors/pipedrive.md "Search"): `term` of at least 2
// characters, `fields` to search in, `exact_match`, cursor paging, and its own 10-per-2-s limit
// (charged as kind `search` by the route wrapper). Deleted records are never found; index lag (the
// `indexLagMs` fault) hides records changed too recently.
import { type FastifyInstance } from 'fastify';
import { SEARCH } from './constants';
import { badRequest } from './errors';
import { type PdObject } from './fields';
import { apiRoute, type CallContext } from './http';
import { pageOf, parseLimit } from './paging';
import { rfc3339 } from './render';
import { type PipedriveServer } from './state';
import { type PdRecord } from './store';

const SEARCHABLE: Record<PdObject, string[]> = {
  person: ['custom_fields', 'email', 'notes', 'phone', 'name'],
  deal: ['custom_fields', 'notes', 'title'],
};

function texts(record: PdRecord, fields: Set<string>): string[] {
  const v = record.values;
  const out: string[] = [];
  const points = (key: string): string[] => ((v[key] ?? []) as { value: string }[]).map((p) => p.value);
  if (fields.has('name') && typeof v.name === 'string') out.push(v.name);
  if (fields.has('title') && typeof v.title === 'string') out.push(v.title);
  if (fields.has('email')) out.push(...points('emails'));
  if (fields.has('phone')) out.push(...points('phones'));
  if (fields.has('custom_fields'))
    out.push(...Object.values(record.custom).filter((c): c is string => typeof c === 'string'));
  return out;
}

function item(record: PdRecord, score: number): Record<string, unknown> {
  const v = record.values;
  const common = {
    id: record.id,
    type: record.object,
    owner: { id: v.owner_id },
    visible_to: v.visible_to ?? 3,
    update_time: rfc3339(record.updateTime),
    custom_fields: [],
    notes: [],
  };
  if (record.object === 'person') {
    const values = (key: string): string[] => ((v[key] ?? []) as { value: string }[]).map((p) => p.value);
    return {
      result_score: score,
      item: {
        ...common,
        name: v.name,
        emails: values('emails'),
        phones: values('phones'),
        organization: null,
      },
    };
  }
  return {
    result_score: score,
    item: {
      ...common,
      title: v.title,
      value: v.value,
      currency: v.currency,
      status: v.status,
      stage: { id: v.stage_id },
      person: v.person_id ? { id: v.person_id } : null,
      organization: null,
    },
  };
}

function search(ctx: CallContext, object: PdObject): { data: unknown; additional_data: unknown } {
  const q = ctx.query;
  const term = (q.term ?? '').trim();
  const exact = q.exact_match === 'true';
  // Two characters at least, one with exact_match ("Search").
  const minimum = exact ? 1 : SEARCH.minTermLength;
  if (term.length < minimum)
    throw badRequest(`Validation failed: term: must be at least ${minimum} characters long`);
  const fields = new Set(q.fields ? q.fields.split(',') : SEARCHABLE[object]);
  const unknown = [...fields].filter((f) => !SEARCHABLE[object].includes(f));
  if (unknown.length > 0)
    throw badRequest(
      `Validation failed: fields: expected some of ${SEARCHABLE[object].join(', ')}, got ${unknown.join(',')}`,
    );
  const needle = term.toLowerCase();
  const visibleBefore = ctx.org.now() - ctx.org.faults.current.indexLagMs;
  const scored: { id: number; record: PdRecord; score: number }[] = [];
  for (const record of ctx.org.state.store.all(object)) {
    if (record.deletedAt !== null || record.updateTime > visibleBefore) continue;
    const hits = texts(record, fields).map((t) => t.toLowerCase());
    const score = hits.some((t) => t === needle)
      ? 1
      : !exact && hits.some((t) => t.includes(needle))
        ? 0.5
        : 0;
    if (score > 0) scored.push({ id: record.id, record, score });
  }
  const limit = parseLimit(q.limit, SEARCH.maxLimit, SEARCH.defaultLimit);
  // Best matches first: order by score (descending) then id, as a single sort key the cursor can hold.
  const { page, nextCursor } = pageOf(
    scored,
    (s) => (s.score === 1 ? 0 : 1),
    'asc',
    limit,
    `search:${object}:${term}:${exact}`,
    q.cursor,
  );
  return {
    data: { items: page.map((s) => item(s.record, s.score)) },
    additional_data: { next_cursor: nextCursor },
  };
}

export function registerSearchRoutes(app: FastifyInstance, server: PipedriveServer): void {
  apiRoute(app, server, { method: 'GET', path: '/persons/search', version: 'v2', kind: 'search' }, (ctx) =>
    search(ctx, 'person'),
  );
  apiRoute(app, server, { method: 'GET', path: '/deals/search', version: 'v2', kind: 'search' }, (ctx) =>
    search(ctx, 'deal'),
  );
}
