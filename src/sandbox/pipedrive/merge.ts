// v1 merge of two persons or two deals (`PUT /v1/persons/{id}/merge`, `PUT /v1/deals/{id}/merge`):
// the record `id` is merged into `merge_with_id`, which survives (which side survives is UNVERIFIED).
// Webhooks see a delete of the merged record with `merged_to_id` and a change of the survivor with
// `merged_from_id` (docs/vendors/pipedrive.md "Webhooks"). Empty fields of the survivor take the
// merged record's values; contact points are unioned.
import { type FastifyInstance } from 'fastify';
import { badRequest } from './errors';
import { type PdObject } from './fields';
import { apiRoute } from './http';
import { renderV1 } from './render';
import { type PipedriveServer } from './state';
import { type PdRecord } from './store';
import { liveRecord } from './writes';

function union(a: unknown, b: unknown): { value: string; primary: boolean }[] {
  const out = [...((a ?? []) as { value: string; primary: boolean }[])];
  for (const p of (b ?? []) as { value: string; primary: boolean }[])
    if (!out.some((o) => o.value === p.value)) out.push({ ...p, primary: false });
  return out;
}

function mergedValues(
  into: PdRecord,
  from: PdRecord,
): { values: Record<string, unknown>; custom: Record<string, unknown> } {
  const values: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from.values))
    if (into.values[k] === null || into.values[k] === undefined) values[k] = v;
  if (into.object === 'person') {
    values.emails = union(into.values.emails, from.values.emails);
    values.phones = union(into.values.phones, from.values.phones);
  }
  const custom: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(from.custom))
    if (into.custom[k] === null || into.custom[k] === undefined) custom[k] = v;
  return { values, custom };
}

export function registerMergeRoutes(app: FastifyInstance, server: PipedriveServer): void {
  for (const object of ['person', 'deal'] as PdObject[]) {
    const path = object === 'person' ? '/persons/:id/merge' : '/deals/:id/merge';
    apiRoute(app, server, { method: 'PUT', path, version: 'v1', kind: 'update' }, (ctx) => {
      const store = ctx.org.state.store;
      const from = liveRecord(store, object, ctx.params.id);
      const raw = (ctx.body as Record<string, unknown> | null)?.merge_with_id;
      const into = liveRecord(store, object, raw === undefined ? undefined : String(raw));
      if (into.id === from.id) throw badRequest('merge_with_id: cannot merge a record with itself');
      const meta = { source: 'api' as const, userId: ctx.userId };
      if (object === 'person') {
        for (const deal of store.all('deal'))
          if (deal.deletedAt === null && deal.values.person_id === from.id)
            store.update(deal, { person_id: into.id }, {}, meta);
      }
      if (object === 'person') store.participants.reassign(from.id, into.id);
      const { values, custom } = mergedValues(into, from);
      store.remove(from, { ...meta, mergedToId: into.id });
      store.update(into, values, custom, { ...meta, mergedFromId: from.id });
      return { data: renderV1(store, into) };
    });
  }
}
