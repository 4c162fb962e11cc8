import { type CrmConnector, type CrmObject, type NativeRecord } from '../../../src/connectors/types';
import { type ConformanceSandbox, type ConformanceStart, type ConformanceTarget } from './target';

/**
 * `exportRecords` (a connection's first sync) against the sandbox: every live record exactly once
 * across pages, no soft-deleted one, `total` equal to the sandbox's live count, each record equal to
 * what `listRecords` reads of it — whichever way the export runs (`ConformanceTarget.exportPaths`).
 * A connector per page, as a backfill job makes one per run: a cursor must carry on in a new instance.
 */

/** Odd on purpose: no vendor boundary is a multiple of it. */
const PAGE_SIZE = 37;
const SEEDED: Record<CrmObject, number> = { contact: 230, deal: 60 };

async function exportAll(
  connector: () => CrmConnector,
  obj: CrmObject,
): Promise<{ records: NativeRecord[]; totals: (number | null)[]; pages: number }> {
  const records: NativeRecord[] = [];
  const totals: (number | null)[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 1_000; pages += 1) {
    const c = connector();
    if (!c.exportRecords) throw new Error('the connector declares no exportRecords');
    const page = await c.exportRecords(obj, { pageSize: PAGE_SIZE, cursor });
    expect(page.items.length).toBeLessThanOrEqual(PAGE_SIZE);
    records.push(...page.items);
    totals.push(page.total);
    cursor = page.nextCursor;
    if (cursor === null) return { records, totals, pages };
  }
  throw new Error(`the export of ${obj} did not end within 1,000 pages`);
}

async function listAll(connector: CrmConnector, obj: CrmObject): Promise<Map<string, NativeRecord>> {
  const out = new Map<string, NativeRecord>();
  let cursor: string | null = null;
  do {
    const page = await connector.listRecords(obj, { pageSize: 200, cursor });
    for (const r of page.items) out.set(r.remoteId, r);
    cursor = page.nextCursor;
  } while (cursor !== null);
  return out;
}

export function describeExport<S extends ConformanceSandbox>(
  target: ConformanceTarget<S>,
  start: (options: ConformanceStart) => Promise<S>,
): void {
  const paths = target.exportPaths ?? [{ name: 'export', settings: {} }];
  describe.each(paths.map((p) => [p.name, p] as const))('exportRecords (%s)', (_name, path) => {
    it.each(['contact', 'deal'] as const)(
      'exports every live %s once, across pages, with total',
      async (obj) => {
        const s = await start({
          counts: { contact: obj === 'contact' ? SEEDED.contact : 5, deal: obj === 'deal' ? SEEDED.deal : 5 },
          settings: path.settings,
        });
        await target.unthrottle(s);
        const at = s.now() - 60_000;
        s.createAt(
          obj,
          Array.from({ length: 4 }, (_, i) => target.samples.newRecord(obj, 800_000 + i)),
          at,
        );
        const deleted = s.liveIds(obj)[7]!;
        s.deleteAt(obj, deleted, at + 1000);
        const live = s.liveIds(obj);
        expect(live).not.toContain(deleted);

        const { records, totals, pages } = await exportAll(() => s.connector('background'), obj);
        const ids = records.map((r) => r.remoteId);
        expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([]);
        expect([...ids].sort()).toEqual([...live].sort());
        expect(pages).toBeGreaterThan(1);
        expect(totals.filter((t) => t !== null).length).toBeGreaterThan(0);
        for (const t of totals) if (t !== null) expect(t).toBe(live.length);
        expect(records.every((r) => !r.isDeleted)).toBe(true);

        // Whatever way it ran, a record exports as a list reads it (types, nesting, nulls).
        const listed = await listAll(s.connector(), obj);
        const differ = records.filter((r) => {
          const l = listed.get(r.remoteId);
          return !l || JSON.stringify(sortedKeys(l)) !== JSON.stringify(sortedKeys(r));
        });
        expect(differ.slice(0, 2).map((r) => ({ exported: r, listed: listed.get(r.remoteId) }))).toEqual([]);
      },
    );
  });
}

/** A record with its field keys in one order, for comparing two reads of it. */
function sortedKeys(r: NativeRecord): unknown {
  const sort = (v: unknown): unknown =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sort((v as Record<string, unknown>)[k])]),
        )
      : v;
  return sort({ ...r });
}
