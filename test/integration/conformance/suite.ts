import { CRMS } from '../../../src/config/crms';
import {
  type CrmObject,
  type NativeChange,
  type NativeRecord,
  type WriteResult,
} from '../../../src/connectors/types';
import { DEFAULT_MAPPINGS } from '../../../src/mapping/defaults';
import { toCanonical } from '../../../src/mapping/mapper';
import { type ConformanceEntry, type ConformanceRig } from './harness';

const OBJECTS: CrmObject[] = ['contact', 'deal'];

/**
 * The shared conformance suite: the `CrmConnector` contract (src/connectors/types.ts) checked against a
 * vendor sandbox over real sockets. Every registered connector runs it; vendor-specific depth (limit
 * storms, tokens expiring mid-run, search caps) stays in each connector's own tests.
 */
export function runConformanceSuite(entry: ConformanceEntry): void {
  const decl = CRMS[entry.crm];
  const exp = entry.expectations;
  let rig: ConformanceRig;

  beforeAll(async () => {
    rig = await entry.start();
  });
  afterAll(() => rig?.close());

  it('declares the limits of its CRM declaration', () => {
    const { limits, kind } = rig.connector();
    expect(kind).toBe(entry.crm);
    expect(limits.readBatch).toBe(decl.batch.read);
    expect(limits.writeBatch).toBe(decl.batch.write);
    expect(limits.budgets).toEqual(decl.budgets);
  });

  describe.each(OBJECTS)('%s', (obj) => {
    const listed: NativeRecord[] = [];

    it('lists every seeded record across several pages, each once', async () => {
      const connector = rig.connector();
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page = await connector.listRecords(obj, { pageSize: 7, cursor });
        expect(page.items.length).toBeLessThanOrEqual(7);
        listed.push(...page.items);
        cursor = page.nextCursor;
        pages += 1;
      } while (cursor !== null && pages < 10_000);
      const ids = listed.map((r) => r.remoteId);
      expect(new Set(ids).size).toBe(ids.length);
      expect(ids.length).toBe(exp.seeded[obj]);
      expect(pages).toBeGreaterThan(1);
    });

    it('maps every listed record through the default mapping without issues', () => {
      const mapping = DEFAULT_MAPPINGS[entry.crm][obj];
      const issues = listed.flatMap((r) =>
        toCanonical(mapping, r.fields).issues.map((i) => `${r.remoteId} ${i.native}: ${i.message}`),
      );
      expect(issues).toEqual([]);
    });

    it('reads ids in ⌈n / readBatch⌉ bulk calls, in key order, null for a miss', async () => {
      const connector = rig.connector();
      const known = listed.map((r) => r.remoteId);
      const ids = [exp.unknownId(obj), ...known];
      const batch = connector.limits.readBatch;
      rig.clearLog();
      const got: (NativeRecord | null)[] = [];
      for (let i = 0; i < ids.length; i += batch)
        got.push(...(await connector.getRecords(obj, ids.slice(i, i + batch))));
      expect(rig.calls(entry.routes.bulkRead(obj))).toBe(Math.ceil(ids.length / batch));
      expect(got[0]).toBeNull();
      expect(got.slice(1).map((r) => r?.remoteId)).toEqual(known);
    });

    it('describes every field its default mapping reads', async () => {
      const described = new Set((await rig.connector().describeFields(obj)).map((f) => f.name));
      const needed = DEFAULT_MAPPINGS[entry.crm][obj].fields
        .filter((f) => !f.optional && !f.native.includes('.'))
        .flatMap((f) =>
          f.transform.kind === 'status_from_flags'
            ? [f.transform.closedField, f.transform.wonField]
            : [f.native],
        );
      expect([...new Set(needed)].filter((n) => !described.has(n))).toEqual([]);
    });

    describe('writes', () => {
      let since: Date;
      let created: WriteResult[] = [];

      it('upserts in one bulk call, one result per record in order, invalid ones reported per record', async () => {
        since = new Date(rig.now() - 1000);
        const connector = rig.connector('background');
        const n = Math.min(connector.limits.writeBatch - 1, 5);
        const stamp = Date.now();
        const writes = Array.from({ length: n }, (_, i) => ({
          ref: `ok-${i}`,
          fields: exp.newRecord(obj, stamp + i),
        }));
        const invalid = exp.invalidRecord?.(obj);
        if (invalid) writes.push({ ref: 'bad', fields: invalid });
        rig.clearLog();
        created = await connector.upsertRecords(obj, writes);
        expect(created.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
        expect(created.slice(0, n).map((r) => r.ok && r.created)).toEqual(Array(n).fill(true));
        if (invalid) {
          const bad = created[n];
          expect(bad.ok).toBe(false);
          if (!bad.ok) expect(bad.error.code).toBe('VALIDATION');
        }
        expect(rig.calls(entry.routes.bulkWrite(obj))).toBe(1);
      });

      it('updates by remote id and reads the new value back', async () => {
        const first = created.find((r) => r.ok);
        if (!first || !first.ok) throw new Error('no record was created');
        const { field, value } = exp.update(obj);
        const [res] = await rig
          .connector('background')
          .upsertRecords(obj, [{ ref: 'u', remoteId: first.remoteId, fields: { [field]: value } }]);
        expect(res).toMatchObject({ ok: true, remoteId: first.remoteId, created: false });
        const [read] = await rig.connector().getRecords(obj, [first.remoteId]);
        expect(read?.fields[field]).toEqual(value);
      });

      it('reports changes since a time, deletions included', async () => {
        const ids = created.flatMap((r) => (r.ok ? [r.remoteId] : []));
        const [gone, ...kept] = ids;
        const deleted = await rig.connector('background').deleteRecords(obj, [gone]);
        expect(deleted).toEqual([expect.objectContaining({ ok: true, remoteId: gone })]);
        const changes: NativeChange[] = [];
        let cursor: string | null = null;
        let pages = 0;
        do {
          const page = await rig.connector('background').listChanges(obj, { since, cursor, pageSize: 50 });
          changes.push(...page.items);
          cursor = page.nextCursor;
          pages += 1;
        } while (cursor !== null && pages < 1000);
        const upserted = new Set(changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId));
        expect(kept.filter((id) => !upserted.has(id))).toEqual([]);
        expect(changes.some((c) => c.remoteId === gone && c.kind === 'DELETED')).toBe(true);
      });
    });
  });

  it('returns associations for every requested id', async () => {
    const connector = rig.connector();
    const page = await connector.listRecords('contact', { pageSize: 5 });
    const ids = page.items.map((r) => r.remoteId);
    const map = await connector.getAssociations('contact', ids, 'deal');
    expect([...map.keys()].sort()).toEqual([...ids].sort());
    for (const deals of map.values()) expect(Array.isArray(deals)).toBe(true);
  });
}
