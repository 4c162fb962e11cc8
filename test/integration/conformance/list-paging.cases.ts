import { CRMS } from '../../../src/connectors/registry';
import { type CrmConnector, type CrmObject, type NativeListFilter } from '../../../src/connectors/types';
import { type ConformanceSandbox, type ConformanceStart, type ConformanceTarget } from './target';

/**
 * Lists paged to the end as a client pages them: at odd page sizes around every vendor boundary (1, 7,
 * 99, 100, 101, 199, 200, 201), with and without each filter the connector declares and deleted
 * records, resumed from cursors in the middle of pages, and compared with the sandbox's own records:
 * none missing, none twice. A connector per page, as the read path makes one per request.
 */

export const PAGE_SIZES = [1, 7, 99, 100, 101, 199, 200, 201] as const;
/** Records of each object: past the 200 boundary, small enough to page one by one. */
const SEEDED = 230;
/** Contacts sharing an email prefix no seeded contact has. */
const TAGGED = 23;

interface Variant {
  name: string;
  obj: CrmObject;
  filter?: NativeListFilter;
  includeDeleted?: boolean;
  /** Exactly these ids, or (with `superset`) at least these, each once. */
  truth: string[];
  superset: boolean;
}

export function describeListPaging<S extends ConformanceSandbox>(
  target: ConformanceTarget<S>,
  start: (options: ConformanceStart) => Promise<S>,
): void {
  const { samples } = target;

  async function variants(s: S): Promise<Variant[]> {
    const support = s.connector().listFilters;
    const t = s.now() - 60_000;
    const prefix = `pg${Date.now().toString(36)}`;
    const tagged = s.createAt(
      'contact',
      Array.from({ length: TAGGED }, (_, i) => ({
        ...samples.newRecord('contact', 700_000 + i),
        [samples.email.field]: `${prefix}${i}@paging.test`,
      })),
      t,
    );
    s.createAt(
      'deal',
      Array.from({ length: 9 }, (_, i) => samples.newRecord('deal', 700_000 + i)),
      t,
    );
    // A few deleted records of each object, so that includeDeleted has something to add.
    for (const obj of ['contact', 'deal'] as const) {
      for (const id of s.liveIds(obj).slice(3, 6)) s.deleteAt(obj, id, t - 1000);
    }
    // A deleted match: found by a filter only with deleted records (prefix variants below).
    s.deleteAt('contact', tagged[0]!, t);
    const live = new Set(s.liveIds('contact'));
    const all = (obj: CrmObject) => [...s.liveIds(obj), ...s.deletedIds(obj)];
    const out: Variant[] = [];
    for (const obj of ['contact', 'deal'] as const) {
      out.push({ name: `${obj}s`, obj, truth: s.liveIds(obj), superset: false });
      out.push({ name: `${obj}s with deleted`, obj, includeDeleted: true, truth: all(obj), superset: false });
      if (support?.modifiedSince) {
        const since = { modifiedSince: new Date(t) };
        const recent = s.changedAfter(obj, t - 1).upserted;
        out.push({ name: `${obj}s modified since T`, obj, filter: since, truth: recent, superset: true });
      }
    }
    const email = samples.email.field;
    if (support?.equals) {
      const value = `${prefix}5@paging.test`;
      const filter = { equals: [{ field: email, value: value.toUpperCase() }] };
      out.push({ name: 'contacts by email', obj: 'contact', filter, truth: [tagged[5]!], superset: true });
    }
    if (support?.prefix) {
      const filter = { prefix: [{ field: email, value: prefix }] };
      const liveTagged = tagged.filter((id) => live.has(id));
      out.push({
        name: 'contacts by email prefix',
        obj: 'contact',
        filter,
        truth: liveTagged,
        superset: true,
      });
      if (support.withDeleted) {
        // The deleted match is found only where the vendor still lists deleted records (a recycle
        // bin); a vendor that deletes outright (Dataverse) lists none, so none is owed.
        const listable = new Set([...live, ...s.deletedIds('contact')]);
        out.push({
          name: 'contacts by email prefix with deleted',
          obj: 'contact',
          filter,
          includeDeleted: true,
          truth: tagged.filter((id) => listable.has(id)),
          superset: true,
        });
      }
    }
    return out;
  }

  /** Every id of a listing, page by page; every third page resumes from a cursor mid-page when it can. */
  async function walk(connector: () => CrmConnector, v: Variant, pageSize: number): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let pages = 1; pages <= 2_000; pages += 1) {
      const page = await connector().listRecords(v.obj, {
        pageSize,
        cursor,
        filter: v.filter,
        includeDeleted: v.includeDeleted ?? false,
      });
      expect(page.items.length).toBeLessThanOrEqual(pageSize);
      if (page.itemCursors) expect(page.itemCursors).toHaveLength(page.items.length);
      const midPage = pages % 3 === 0 && page.itemCursors && page.items.length > 1 && page.nextCursor;
      if (midPage) {
        // Resume after the first record: the rest of this page must come again, exactly once more.
        ids.push(page.items[0]!.remoteId);
        cursor = page.itemCursors![0]!;
        continue;
      }
      ids.push(...page.items.map((r) => r.remoteId));
      cursor = page.nextCursor;
      if (cursor === null) return ids;
    }
    throw new Error(`${v.name} at page size ${pageSize} did not end within 2,000 pages`);
  }

  it(`pages every list to the end at page sizes ${PAGE_SIZES.join(', ')}, with each filter and deleted records: none missing, none twice`, async () => {
    // Paging one by one takes thousands of calls: budgets (ours and the sandbox's) lifted, as this
    // case is about where pages start and end, not about limits (other cases are).
    const unlimited = Object.fromEntries(CRMS[target.crm].budgets.map((b) => [b.name, { limit: 1_000_000 }]));
    const s = await start({ counts: { contact: SEEDED, deal: SEEDED }, settings: { budgets: unlimited } });
    await target.unthrottle(s);
    const cases = await variants(s);
    expect(cases.length).toBeGreaterThanOrEqual(4);
    const problems: string[] = [];
    for (const v of cases) {
      if (v.truth.length === 0) problems.push(`${v.name}: the sandbox holds no record to find`);
      for (const size of PAGE_SIZES) {
        const ids = await walk(() => s.connector(), v, size);
        const twice = ids.filter((id, i) => ids.indexOf(id) !== i);
        const have = new Set(ids);
        const lacking = v.truth.filter((id) => !have.has(id));
        const known = new Set([...s.liveIds(v.obj), ...s.deletedIds(v.obj)]);
        const extra = v.superset
          ? ids.filter((id) => !known.has(id))
          : ids.filter((id) => !v.truth.includes(id));
        if (twice.length || lacking.length || extra.length) {
          problems.push(
            `${v.name} @${size}: ${lacking.length} missing, ${twice.length} twice, ${extra.length} unexpected`,
          );
        }
      }
    }
    expect(problems).toEqual([]);
  }, 180_000);
}
