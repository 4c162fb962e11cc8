// v1 `recents` (docs/vendors/pipedrive.md "Incremental sync"): every person and deal changed at or
// after `since_timestamp` (UTC `YYYY-MM-DD HH:MM:SS`), deleted ones included (v1 shape: a person's
// `active_flag` false, a deal's `deleted` true), oldest first, with v1 offset paging.
import { type FastifyInstance } from 'fastify';
import { badRequest } from './errors';
import { type PdObject } from './fields';
import { apiRoute } from './http';
import { renderV1, v1Time } from './render';
import { type PipedriveServer } from './state';
import { v1Page } from './v1-paging';

const ITEMS: Record<string, PdObject> = { person: 'person', deal: 'deal' };

function sinceOf(raw: string | undefined): number {
  const m = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(raw ?? '');
  const ms = m ? Date.parse(`${m[1]}T${m[2]}Z`) : NaN;
  if (Number.isNaN(ms))
    throw badRequest(`since_timestamp: expected UTC "YYYY-MM-DD HH:MM:SS", got ${JSON.stringify(raw)}`);
  return ms;
}

export function registerRecentsRoutes(app: FastifyInstance, server: PipedriveServer): void {
  apiRoute(app, server, { method: 'GET', path: '/recents', version: 'v1', kind: 'list' }, (ctx) => {
    const since = sinceOf(ctx.query.since_timestamp);
    const names = (ctx.query.items ?? 'person,deal').split(',');
    const unknown = names.filter((n) => !ITEMS[n]);
    if (unknown.length > 0)
      throw badRequest(`items: this sandbox serves person and deal, got ${unknown.join(',')}`);
    const store = ctx.org.state.store;
    const rows = names
      .flatMap((n) => store.all(ITEMS[n] as PdObject))
      .filter((r) => r.updateTime >= since)
      .sort((a, b) => a.updateTime - b.updateTime || a.object.localeCompare(b.object) || a.id - b.id);
    const page = v1Page(rows, ctx.query);
    const last = page.data[page.data.length - 1];
    const pagination = (page.additional_data as { pagination: unknown }).pagination;
    return {
      data: page.data.map((r) => ({ item: r.object, id: r.id, data: renderV1(store, r) })),
      additional_data: {
        since_timestamp: v1Time(since),
        last_timestamp_on_page: last ? v1Time(last.updateTime) : null,
        pagination,
      },
    };
  });
}
