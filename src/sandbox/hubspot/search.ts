// POST /crm/v3/objects/{type}/search (docs/vendors/hubspot.md "Search"): reads the index (which may lag writes), never archived
// records, under its own per-second limit and without rate-limit headers.
import { type FastifyInstance } from 'fastify';
import { OBJECT_STEMS, OBJECT_TYPES, type HsObjectType } from './constants';
import { apiRoute, renderRecord } from './http';
import { parseSearchRequest, runSearch, type SearchDoc } from './search-engine';
import { type HubSpotServer } from './state';
import { type HsRecord, type PortalStore } from './store';

/** Default searchable properties of `query` [V-DOC]. */
const QUERY_PROPERTIES: Record<HsObjectType, string[]> = {
  contacts: [
    'firstname',
    'lastname',
    'email',
    'phone',
    'hs_additional_emails',
    'fax',
    'mobilephone',
    'company',
  ],
  deals: ['dealname', 'pipeline', 'dealstage', 'description', 'dealtype'],
};

interface IndexedDoc extends SearchDoc {
  rec: HsRecord;
  updatedAt: number;
}

function* indexedDocs(store: PortalStore, type: HsObjectType, now: number): Generator<IndexedDoc> {
  for (const rec of store.records[type].values()) {
    const view = store.searchView(rec, now);
    if (!view || view.archived) continue;
    yield {
      id: rec.id,
      createdAt: rec.createdAt,
      properties: view.properties,
      rec,
      updatedAt: view.updatedAt,
    };
  }
}

export function registerSearchRoutes(app: FastifyInstance, server: HubSpotServer): void {
  for (const [type, stem] of OBJECT_TYPES.flatMap((t) => OBJECT_STEMS.map((s) => [t, s] as const))) {
    apiRoute(
      app,
      server,
      'POST',
      `${stem}/${type}/search`,
      ({ org, request }) => {
        const store = org.state.store;
        // The body cap is on characters sent; re-serialising is a close, whitespace-free estimate.
        const req = parseSearchRequest(request.body, JSON.stringify(request.body ?? {}).length);
        const now = org.now();
        const docs = [...indexedDocs(store, type, now)];
        const page = runSearch(docs, req, {
          defs: store.properties[type],
          queryProperties: QUERY_PROPERTIES[type],
          associated: (doc, other) => {
            const o = other.replace(/s$/, '');
            if ((type === 'contacts' && o === 'deal') || (type === 'deals' && o === 'contact')) {
              return store.associated(type, doc.id);
            }
            return [];
          },
        });
        const byId = new Map(docs.map((d) => [d.id, d]));
        const results = page.ids.map((id) => {
          const d = byId.get(id) as IndexedDoc;
          const out = renderRecord(d.rec, store.properties[type], {
            properties: req.properties?.length ? req.properties : undefined,
            values: d.properties,
          });
          return { ...out, updatedAt: new Date(d.updatedAt).toISOString() };
        });
        return {
          total: page.total,
          results,
          ...(page.nextAfter ? { paging: { next: { after: page.nextAfter } } } : {}),
        };
      },
      { search: true },
    );
  }
}
