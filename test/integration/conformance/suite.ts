import { DEFAULT_INTERACTIVE_RESERVE } from '../../../src/config/crms';
import { CRMS } from '../../../src/connectors/registry';
import {
  type CrmConnector,
  type CrmObject,
  type NativeChange,
  type NativeListFilter,
  type NativeRecord,
  type RecordWrite,
  WORD_PREFIX,
  type WriteResult,
} from '../../../src/connectors/types';
import { CHANGES_WINDOW_EXCEEDED } from '../../../src/connectors/changes-window';
import { type CrmError } from '../../../src/errors';
import { DEFAULT_MAPPINGS } from '../../../src/connectors/registry';
import { toCanonical } from '../../../src/mapping/mapper';
import { type RequestLogEntry } from '../../../src/sandbox/core';
import { rejection } from '../../support/connector-doubles';
import { type ConformanceSandbox, type ConformanceStart, type ConformanceTarget } from './target';
import { describeExport } from './export.cases';
import { describeLinkWrites } from './link-writes.cases';
import { describeListPaging } from './list-paging.cases';
import { allChanges, feedStart, walkChanges } from './walk';

/**
 * The connector conformance suite: the `CrmConnector` contract (src/connectors/types.ts) checked
 * against a vendor sandbox over real sockets, with the real token service, budget gate and shared HTTP
 * client. Every registered connector runs it (its conformance file calls `describeConformance`);
 * vendor calls are counted from the sandbox's request log, never from our own code.
 */

const OBJECTS: CrmObject[] = ['contact', 'deal'];

async function listAll(
  connector: CrmConnector,
  obj: CrmObject,
  pageSize: number,
): Promise<{ records: NativeRecord[]; pages: number }> {
  const records: NativeRecord[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await connector.listRecords(obj, { pageSize, cursor });
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    records.push(...page.items);
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 10_000);
  return { records, pages };
}

/** A filtered list walked to the end with the connector's cursors, each page checked against its size. */
async function listFiltered(
  connector: () => CrmConnector,
  obj: CrmObject,
  filter: NativeListFilter,
  pageSize: number,
): Promise<{ ids: string[]; pages: number }> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    // A connector per page, as the read path makes one per request; the cursor carries the listing.
    const page = await connector().listRecords(obj, { pageSize, cursor, filter });
    expect(page.items.length).toBeLessThanOrEqual(pageSize);
    ids.push(...page.items.map((r) => r.remoteId));
    cursor = page.nextCursor;
    pages += 1;
  } while (cursor !== null && pages < 1000);
  return { ids, pages };
}

/** Ids in `must` that `got` lacks: a filter may return more than it matches, never less. */
const missing = (must: readonly string[], got: readonly string[]): string[] => {
  const have = new Set(got);
  return must.filter((id) => !have.has(id));
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const sorted = (ids: Iterable<string>) => [...ids].sort();

export function describeConformance<S extends ConformanceSandbox>(target: ConformanceTarget<S>): void {
  const decl = CRMS[target.crm];
  const samples = target.samples;
  const filteredPageCalls = target.filteredPageCalls ?? 1;

  describe(`${target.crm} connector conformance`, () => {
    let sb: S | undefined;
    const start = async (options: ConformanceStart): Promise<S> => {
      sb = await target.start(options);
      return sb;
    };
    afterEach(async () => {
      await sb?.close();
      sb = undefined;
    });

    describeListPaging(target, start);
    describeLinkWrites(target, start);
    describeExport(target, start);

    it('declares the limits of its CRM declaration', async () => {
      const { limits, kind } = (await start({ counts: { contact: 5, deal: 5 } })).connector();
      expect(kind).toBe(target.crm);
      expect(limits.readBatch).toBe(decl.batch.read);
      expect(limits.writeBatch).toBe(decl.batch.write);
      expect(limits.budgets).toEqual(decl.budgets);
    });

    describe.each(OBJECTS)('%s', (obj) => {
      const seeded = obj === 'contact' ? 2300 : 230;
      const pageSize = obj === 'contact' ? 500 : 50;

      it('lists every live record to the end across several pages, each once, mapped and described', async () => {
        const s = await start({
          counts: { contact: obj === 'contact' ? seeded : 10, deal: obj === 'deal' ? seeded : 10 },
        });
        const connector = s.connector();
        const { records, pages } = await listAll(connector, obj, pageSize);
        const ids = records.map((r) => r.remoteId);
        expect(ids.length).toBe(new Set(ids).size);
        expect(sorted(ids)).toEqual(sorted(s.liveIds(obj)));
        expect(ids.length).toBeGreaterThan(seeded / 2);
        expect(pages).toBeGreaterThan(1);

        // Every listed record maps through the default mapping without issues.
        const mapping = DEFAULT_MAPPINGS[target.crm][obj];
        const issues = records.flatMap((r) =>
          toCanonical(mapping, r.fields).issues.map((i) => `${r.remoteId} ${i.native}: ${i.message}`),
        );
        expect(issues).toEqual([]);

        // And describeFields names every field the default mapping reads.
        const described = new Set((await connector.describeFields(obj)).map((f) => f.name));
        const needed = mapping.fields
          .filter((f) => !f.optional && !f.native.includes('.'))
          .flatMap((f) =>
            f.transform.kind === 'status_from_flags'
              ? [f.transform.closedField, f.transform.wonField]
              : [f.native],
          );
        expect([...new Set(needed)].filter((n) => !described.has(n))).toEqual([]);
      });

      it('writes: one bulk call, one result per record in order, invalid ones per record; update; delete → DELETED change', async () => {
        const s = await start({ counts: { contact: 23, deal: 17 } });
        const since = new Date(s.now() - 1000);
        const connector = s.connector('background');
        const position = await feedStart(connector, obj);
        const { writeBatch } = connector.limits;
        // Five records, or fewer where one call takes fewer; at least three (a vendor writing one
        // record per call sends them one by one).
        const n = Math.max(3, Math.min(writeBatch - 1, 5));
        const stamp = Date.now();
        const writes: RecordWrite[] = Array.from({ length: n }, (_, i) => ({
          ref: `ok-${i}`,
          fields: samples.newRecord(obj, stamp + i),
        }));
        const invalid = samples.invalidRecord(obj, 1);
        if (invalid) writes.push({ ref: 'bad', fields: invalid });
        s.clearLog();
        const created: WriteResult[] = [];
        for (let i = 0; i < writes.length; i += writeBatch)
          created.push(...(await connector.upsertRecords(obj, writes.slice(i, i + writeBatch))));
        expect(created.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
        expect(created.slice(0, n).map((r) => r.ok && r.created)).toEqual(Array(n).fill(true));
        if (invalid) {
          const bad = created[n];
          expect(bad?.ok).toBe(false);
          if (bad && !bad.ok) expect(bad.error.code).toBe('VALIDATION');
        }
        expect(s.calls(target.routes.bulkWrite(obj))).toBe(Math.ceil(writes.length / writeBatch));

        const ids = created.flatMap((r) => (r.ok ? [r.remoteId] : []));
        const [first, gone, ...kept] = ids as [string, string, ...string[]];
        const { field, value } = samples.update(obj);
        const [res] = await connector.upsertRecords(obj, [
          { ref: 'u', remoteId: first, fields: { [field]: value } },
        ]);
        expect(res).toMatchObject({ ok: true, remoteId: first, created: false });
        const [read] = await s.connector().getRecords(obj, [first]);
        expect(read?.fields[field]).toEqual(value);
        expect(s.field(obj, first, field)).toEqual(typeof value === 'number' ? value : String(value));

        const deleted = await connector.deleteRecords(obj, [gone]);
        expect(deleted).toEqual([expect.objectContaining({ ok: true, remoteId: gone })]);
        expect(s.liveIds(obj)).not.toContain(gone);
        const changes = await allChanges(s.connector('background'), obj, since, 50, position);
        const upserted = new Set(changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId));
        expect([first, ...kept].filter((id) => !upserted.has(id))).toEqual([]);
        expect(changes.some((c) => c.remoteId === gone && c.kind === 'DELETED')).toBe(true);
        expect(upserted.has(gone)).toBe(false);
      });
    });

    it('reads 500 ids in ⌈500 / readBatch⌉ calls in all, one result per id in order, misses as null', async () => {
      const s = await start({ counts: { contact: 600, deal: 600 } });
      const connector = s.connector();
      const { readBatch } = connector.limits;
      for (const obj of OBJECTS) {
        const ids = s.liveIds(obj).slice(0, 500);
        expect(ids).toHaveLength(500);
        // Field metadata a connector caches per connection is fetched once, not per batch: warm it.
        await connector.getRecords(obj, ids.slice(0, 1));
        s.clearLog();
        const got: (string | null)[] = [];
        for (let i = 0; i < ids.length; i += readBatch) {
          const records = await connector.getRecords(obj, ids.slice(i, i + readBatch));
          got.push(...records.map((r) => r?.remoteId ?? null));
        }
        expect(got).toEqual(ids);
        expect(s.calls(target.routes.bulkRead(obj))).toBe(Math.ceil(500 / readBatch));
        expect(s.log()).toHaveLength(Math.ceil(500 / readBatch));

        s.clearLog();
        const mixed = await connector.getRecords(obj, [samples.unknownId(obj), ids[0] as string]);
        expect(mixed.map((r) => r?.remoteId ?? null)).toEqual([null, ids[0]]);
        expect(s.log()).toHaveLength(1);
      }
    });

    describe('list filters the connector declares (listFilters), pushed down to the vendor', () => {
      /** Contacts created for these cases: their emails share a one-word prefix no seeded email has. */
      const TAGGED = 250;
      const seedTagged = (s: S, at: number): { prefix: string; ids: string[] } => {
        const prefix = `flt${Date.now().toString(36)}`;
        const ids = s.createAt(
          'contact',
          Array.from({ length: TAGGED }, (_, i) => ({
            ...samples.newRecord('contact', 900_000 + i),
            [samples.email.field]: `${prefix}${i}@filters.test`,
          })),
          at,
        );
        return { prefix, ids };
      };
      /** Vendor truth: live contacts whose email satisfies `test` (lower-cased, as filters compare). */
      const contactsWhere = (s: S, test: (email: string) => boolean): string[] =>
        s.liveIds('contact').filter((id) => {
          const email = s.field('contact', id, samples.email.field);
          return typeof email === 'string' && email !== '' && test(email.toLowerCase());
        });

      it('equals on the email field finds exactly the vendor’s matching records, in one call', async () => {
        const s = await start({ counts: { contact: 1200, deal: 5 } });
        const support = s.connector().listFilters;
        expect(support?.equals).toBe(true);
        // A contact far past the first page of an unfiltered list: found in one call only if pushed down.
        const target = [...s.liveIds('contact')]
          .reverse()
          .find((id) => typeof s.field('contact', id, samples.email.field) === 'string');
        const email = String(s.field('contact', target as string, samples.email.field));
        const truth = contactsWhere(s, (e) => e === email.toLowerCase());
        expect(truth).toContain(target);
        // Field metadata a connector caches per connection is fetched once, not per list: warm it.
        await s.connector().listRecords('contact', { pageSize: 1 });
        s.clearLog();
        const equals = [{ field: samples.email.field, value: email }];
        const found = await listFiltered(() => s.connector(), 'contact', { equals }, 100);
        expect(sorted(found.ids)).toEqual(sorted(truth));
        expect(found.pages).toBe(1);
        expect(s.log()).toHaveLength(filteredPageCalls);
        // Text compares case-insensitively; an address nobody has finds nothing.
        const upper = [{ field: samples.email.field, value: email.toUpperCase() }];
        expect(
          sorted((await listFiltered(() => s.connector(), 'contact', { equals: upper }, 100)).ids),
        ).toEqual(sorted(truth));
        const nobody = [{ field: samples.email.field, value: `nobody-${Date.now()}@filters.test` }];
        expect((await listFiltered(() => s.connector(), 'contact', { equals: nobody }, 100)).ids).toEqual([]);
      });

      it('a prefix returns every true match (a superset at most), paged to the end with the vendor’s paging', async () => {
        const s = await start({ counts: { contact: 600, deal: 5 } });
        const support = s.connector().listFilters;
        expect(support?.prefix === 'any' || support?.prefix === 'word').toBe(true);
        const { prefix, ids } = seedTagged(s, s.now());
        // A one-word prefix: what a `'word'` connector accepts, and any other too.
        expect(WORD_PREFIX.test(prefix)).toBe(true);
        const truth = contactsWhere(s, (e) => e.startsWith(prefix));
        expect(sorted(truth)).toEqual(sorted(ids));
        await s.connector().listRecords('contact', { pageSize: 1 });
        s.clearLog();
        const pageSize = 100;
        const filter = { prefix: [{ field: samples.email.field, value: prefix.toUpperCase() }] };
        const found = await listFiltered(() => s.connector(), 'contact', filter, pageSize);
        expect(found.ids.length).toBe(new Set(found.ids).size);
        expect(missing(truth, found.ids)).toEqual([]);
        // Several pages of matches, each one vendor call: the vendor paged the filtered query itself.
        expect(found.pages).toBeGreaterThanOrEqual(Math.ceil(TAGGED / pageSize));
        const served = s.log().filter((e) => e.status < 400);
        // A page found empty needs no read by ids after its search.
        expect(served.length).toBeGreaterThanOrEqual(found.pages);
        expect(served.length).toBeLessThanOrEqual(found.pages * filteredPageCalls);
        expect(s.log().filter((e) => e.status >= 400 && e.status !== 429)).toEqual([]);
        // Whatever is over-returned is still a live record of the vendor's.
        expect(missing(found.ids, s.liveIds('contact'))).toEqual([]);
      });

      it.each(OBJECTS)(
        'modifiedSince on %s returns every record modified at or after T, to the end',
        async (obj) => {
          const s = await start({ counts: { contact: 300, deal: 300 } });
          expect(s.connector().listFilters?.modifiedSince).toBe(true);
          const t = s.now() - 10 * 60_000;
          // Records on both sides of T, and a cluster exactly at T (at/after includes it).
          s.createAt(obj, [samples.newRecord(obj, 800_001), samples.newRecord(obj, 800_002)], t - 5_000);
          const atT = s.createAt(
            obj,
            Array.from({ length: 120 }, (_, i) => samples.newRecord(obj, 810_000 + i)),
            t,
          );
          const after = s.createAt(obj, [samples.newRecord(obj, 820_000)], t + 3_000);
          const truth = s.changedAfter(obj, t - 1).upserted;
          expect(truth).toEqual(expect.arrayContaining([...atT, ...after]));
          await s.connector().listRecords(obj, { pageSize: 1 });
          s.clearLog();
          const found = await listFiltered(() => s.connector(), obj, { modifiedSince: new Date(t) }, 50);
          expect(found.ids.length).toBe(new Set(found.ids).size);
          expect(missing(truth, found.ids)).toEqual([]);
          expect(found.pages).toBeGreaterThan(1);
          expect(s.log().filter((e) => e.status < 400)).toHaveLength(found.pages);
          // Pushed down: far fewer than the whole object (the seeded records are older than T).
          expect(found.ids.length).toBeLessThan(s.liveIds(obj).length);
        },
      );
    });

    it('reports changes since T: records sharing a timestamp across page boundaries once each, and deletions', async () => {
      const s = await start({ counts: { contact: 200, deal: 10 } });
      const pageSize = 100;
      const t = s.now() - 5 * 60_000;
      const same = t + 1_000;
      const position = await feedStart(s.connector('background'), 'contact');
      // More records at one instant than two pages hold: a page boundary falls inside the tie.
      const created = s.createAt(
        'contact',
        Array.from({ length: 250 }, (_, i) => ({
          ...samples.newRecord('contact', i),
          [samples.email.field]: `same${i}@ts.test`,
        })),
        same,
      );
      const doomed = s.liveIds('contact').slice(0, 3);
      for (const id of doomed) s.deleteAt('contact', id, t + 2_000);
      const lastChange = t + 2_000;

      const expectFeed = (changes: NativeChange[], since: number) => {
        const upserted = changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId);
        const deleted = changes.filter((c) => c.kind === 'DELETED').map((c) => c.remoteId);
        // Every change names its object: sync routes by it, as it must for webhook deliveries.
        expect(changes.filter((c) => c.object !== 'contact')).toEqual([]);
        expect(upserted.length).toBe(new Set(upserted).size);
        expect(deleted.length).toBe(new Set(deleted).size);
        // Everything the vendor changed after `since`, and nothing changed before its lookback.
        const must = s.changedAfter('contact', since);
        const may = s.changedAfter('contact', since - target.changesLookbackMs - 1);
        expect(must.upserted.filter((id) => !upserted.includes(id))).toEqual([]);
        expect(must.deleted.filter((id) => !deleted.includes(id))).toEqual([]);
        expect(upserted.filter((id) => !may.upserted.includes(id))).toEqual([]);
        expect(deleted.filter((id) => !may.deleted.includes(id))).toEqual([]);
        return { upserted, deleted };
      };

      const first = await walkChanges(s.connector('background'), 'contact', new Date(t), pageSize, position);
      const changes = first.changes;
      const { upserted, deleted } = expectFeed(changes, t);
      expect(created).toHaveLength(250);
      expect(created.filter((id) => !upserted.includes(id))).toEqual([]);
      expect(doomed.filter((id) => !deleted.includes(id))).toEqual([]);
      expect(upserted.filter((id) => doomed.includes(id))).toEqual([]);
      const one = changes.find((c) => c.remoteId === created[0]);
      expect(one?.record?.fields[samples.email.field]).toBe('same0@ts.test');
      const resolution = target.stampResolutionMs ?? 1;
      expect(Date.parse(one?.occurredAt ?? '')).toBe(same - (same % resolution));

      // Past the last change (and the vendor's lookback) none of these come back.
      const later = lastChange + target.changesLookbackMs + 1;
      const after = await allChanges(
        s.connector('background'),
        'contact',
        new Date(later),
        pageSize,
        first.position,
      );
      expectFeed(after, later);
      const ours = new Set([...created, ...doomed]);
      expect(after.filter((c) => ours.has(c.remoteId))).toEqual([]);
    });

    it('asks for a full reconcile, without calling the vendor, when `since` is older than deletions stay visible', async () => {
      const s = await start({ counts: { contact: 20, deal: 10 } });
      const connector = s.connector('background');
      s.clearLog();
      const tooOld = new Date(s.now() - target.changesWindowMs - 60_000);
      const err = await rejection(connector.listChanges('contact', { since: tooOld }));
      expect(err).toMatchObject({ code: 'UPSTREAM', vendorCode: CHANGES_WINDOW_EXCEEDED });
      expect(err.details).toMatchObject({ fullResyncRequired: true, since: tooOld.toISOString() });
      expect(s.log()).toEqual([]);
      // Just inside the window the feed answers, deletions included.
      const since = s.now() - target.changesWindowMs + 60 * 60_000;
      const position = await feedStart(s.connector('background'), 'contact');
      const [doomed] = s.liveIds('contact');
      s.deleteAt('contact', doomed as string, since + 60_000);
      const changes = await allChanges(s.connector('background'), 'contact', new Date(since), 100, position);
      expect(changes.filter((c) => c.kind === 'DELETED').map((c) => c.remoteId)).toContain(doomed);
    });

    it('describes custom fields and round-trips a custom value through an upsert by external id and a read', async () => {
      const s = await start({ counts: { contact: 10, deal: 10 } });
      const connector = s.connector();
      const { custom, email, contactExternalId } = samples;
      const fields = await connector.describeFields('contact');
      expect(fields.find((f) => f.name === custom.field)).toMatchObject({ custom: true, type: custom.type });
      expect(fields.find((f) => f.name === custom.picklist)?.custom).toBe(true);
      expect(fields.find((f) => f.name === custom.picklist)?.picklistValues?.length).toBeGreaterThan(0);
      expect(fields.find((f) => f.name === contactExternalId)?.custom).toBe(true);
      expect(fields.find((f) => f.name === email.field)).toMatchObject({ custom: false, type: email.type });
      const [res] = await connector.upsertRecords('contact', [
        {
          ref: 'c1',
          externalId: { field: contactExternalId, value: 'CUSTOM-1' },
          fields: { ...samples.newRecord('contact', 1), [custom.field]: custom.value },
        },
      ]);
      expect(res).toMatchObject({ ok: true, created: true });
      const id = res?.ok ? res.remoteId : '';
      const [read] = await connector.getRecords('contact', [id]);
      expect(read?.fields[custom.field]).toBe(custom.value);
      expect(read?.fields[contactExternalId]).toBe('CUSTOM-1');
      expect(String(s.field('contact', id, custom.field))).toBe(String(custom.value));
    });

    it('reads associations in ⌈n / readBatch⌉ calls, both ways, exactly as the vendor holds them', async () => {
      const s = await start({ counts: { contact: 300, deal: 30 } });
      const contacts = s.liveIds('contact').slice(0, 250);
      const deals = s.liveIds('deal');
      const linked = (i: number) => !target.oneContactPerDeal || i < deals.length;
      contacts.forEach((c, i) => {
        if (linked(i)) s.associate(c, deals[i % deals.length] as string);
      });
      const lonely = s
        .liveIds('contact')
        .find((c) => !contacts.includes(c) && s.associated('contact', c, 'deal').length === 0);
      const connector = s.connector();
      const asked = lonely ? [...contacts, lonely] : contacts;
      s.clearLog();
      const byContact = await connector.getAssociations('contact', asked, 'deal');
      const callsFor = (from: CrmObject, to: CrmObject, n: number) =>
        target.associationCalls?.(from, to, n, connector.limits.readBatch) ??
        Math.ceil(n / connector.limits.readBatch);
      expect(s.calls(target.routes.associations('contact', 'deal'))).toBe(
        callsFor('contact', 'deal', asked.length),
      );
      expect(sorted(byContact.keys())).toEqual(sorted(asked));
      contacts.forEach((c, i) => {
        const expected = s.associated('contact', c, 'deal');
        if (linked(i)) expect(expected).toContain(deals[i % deals.length]);
        expect(sorted(byContact.get(c) ?? [])).toEqual(sorted(expected));
      });
      if (lonely) expect(byContact.get(lonely)).toEqual([]);

      const deal = deals[0] as string;
      s.clearLog();
      const byDeal = await connector.getAssociations('deal', [deal], 'contact');
      expect(s.calls(target.routes.associations('deal', 'contact'))).toBe(callsFor('deal', 'contact', 1));
      const expected = s.associated('deal', deal, 'contact');
      expect(expected).toEqual(
        expect.arrayContaining(contacts.filter((_, i) => linked(i) && i % deals.length === 0)),
      );
      expect(sorted(byDeal.get(deal) ?? [])).toEqual(sorted(expected));
    });

    it('upserts 1,000 records in ⌈1,000 / writeBatch⌉ calls in all; the invalid ones fail alone, per record', async () => {
      const s = await start({ counts: { contact: 10, deal: 10 } });
      const connector = s.connector('background');
      const { writeBatch } = connector.limits;
      const bad = new Set([3, 250, 251, 777, 999]);
      const writes: RecordWrite[] = Array.from({ length: 1000 }, (_, i) => ({
        ref: `w${i}`,
        externalId: { field: samples.contactExternalId, value: `conf-${i}` },
        fields: bad.has(i)
          ? (samples.invalidRecord('contact', i) ?? {})
          : { ...samples.newRecord('contact', i), [samples.email.field]: `conf${i}@example.com` },
      }));
      // Field metadata a connector caches per connection is fetched once, not per batch: warm it.
      await connector.describeFields('contact');
      s.clearLog();
      // The contract: one upsertRecords call takes ≤ writeBatch records (one vendor call each). Sent a
      // few at once, as the write engine sends a flush's batches: a vendor of one record per call makes
      // a thousand calls here (and a lookup each), too many to make one after another on a busy machine.
      const chunks: RecordWrite[][] = [];
      for (let i = 0; i < writes.length; i += writeBatch) chunks.push(writes.slice(i, i + writeBatch));
      const answers: WriteResult[][] = new Array(chunks.length);
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(8, chunks.length) }, async () => {
          while (next < chunks.length) {
            const i = next++;
            answers[i] = await connector.upsertRecords('contact', chunks[i]!);
          }
        }),
      );
      const results = answers.flat();
      expect(s.calls(target.routes.bulkWrite('contact'))).toBe(Math.ceil(1000 / writeBatch));
      // A vendor without an upsert of its own looks each key up first: one lookup per record at most.
      const lookups = target.routes.keyLookup ? s.calls(target.routes.keyLookup) : 0;
      expect(lookups).toBeLessThanOrEqual(1000);
      expect(s.log()).toHaveLength(Math.ceil(1000 / writeBatch) + lookups);
      expect(results.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
      const failed = results.filter((r) => !r.ok);
      expect(failed.map((r) => r.ref)).toEqual([...bad].map((i) => `w${i}`));
      for (const f of failed)
        if (!f.ok)
          expect(f.error).toMatchObject({ code: 'VALIDATION', vendorCode: samples.invalidContactCode });
      const okIds = results.flatMap((r) => (r.ok ? [r.remoteId] : []));
      expect(new Set(okIds).size).toBe(995);
      expect(results.every((r) => !r.ok || r.created)).toBe(true);
      expect(s.field('contact', okIds[0] as string, samples.contactExternalId)).toBe('conf-0');
      // The same keys again: nothing new is created.
      const again = await connector.upsertRecords(
        'contact',
        writes.slice(0, writeBatch).filter((_, i) => !bad.has(i)),
      );
      expect(again.length).toBeGreaterThan(0);
      expect(again.every((r) => r.ok && !r.created)).toBe(true);
      // Room for a thousand calls and their lookups on a loaded 2-core machine (5–8 s when idle).
    }, 120_000);

    describe.each(target.storms.map((storm) => [storm.name, storm] as const))(
      'a limit storm: %s',
      (_name, storm) => {
        it('is survived with no failure and no call before the wait it was told', async () => {
          const s = await start({ counts: { contact: 50, deal: 10 }, retry: storm.retry });
          const ids = s.liveIds('contact').slice(0, 10);
          const told: { at: number; waitMs: number }[] = [];
          await s.connector('background').getRecords('contact', ids.slice(0, 1));
          await storm.start(s, 1500);
          s.clearLog();
          const started = Date.now();
          let records: unknown[] | null = null;
          while (!records && Date.now() - started < 30_000) {
            try {
              records = await s.connector('background').getRecords('contact', ids);
            } catch (err) {
              const e = err as CrmError;
              expect(e.code).toBe('RATE_LIMITED');
              if (storm.waitTold) expect(e.retryAfterMs).toBeGreaterThan(0);
              else expect(e.retryAfterMs).toBeGreaterThanOrEqual(0);
              // What the queue does: come back after the wait it was told.
              told.push({ at: s.now(), waitMs: e.retryAfterMs ?? 0 });
              await sleep(e.retryAfterMs ?? 0);
            }
          }
          expect(records).toHaveLength(10);
          const entries = s.log();
          const refused = entries.filter((e) => e.status === storm.status);
          expect(refused.length).toBeGreaterThan(0);
          expect(told.length).toBeGreaterThan(0);
          expect(entries.filter((e) => e.fault === 'rateLimit' && e.status !== storm.status)).toEqual([]);
          expect(entries.filter((e) => e.status >= 400 && e.status !== storm.status)).toEqual([]);
          // After every refusal, the next vendor call came no earlier than the wait the caller was told.
          for (let i = 0; i < entries.length - 1; i += 1) {
            const e = entries[i] as RequestLogEntry;
            if (e.status !== storm.status) continue;
            const wait = told.find((t) => t.at >= e.at)?.waitMs ?? 0;
            expect((entries[i + 1] as RequestLogEntry).at - e.at).toBeGreaterThanOrEqual(wait - 25);
          }
        }, 45_000);
      },
    );

    it('keeps to the allocation the vendor’s headers report: stops calling before the vendor refuses', async () => {
      const budget = decl.budgets.find((b) => b.name === target.allocation.budget);
      const stated = target.allocation.headers !== false;
      if (!budget || (stated && !budget.headers))
        throw new Error(`${target.crm} declares no header-corrected ${target.allocation.budget} budget`);
      // 30 calls, or half the declared default where that is smaller (a vendor whose smallest plan
      // allows 20 per window): the sandbox must report less than the budget starts with.
      const perWindow = Math.min(30, Math.floor(budget.limit / 2));
      // A vendor stating only what is left: the connection's own figure is twice the sandbox's.
      // A vendor stating nothing: the operator's figure is the sandbox's.
      const settings = !stated
        ? { budgets: { [budget.name]: { limit: perWindow } } }
        : target.allocation.limitStated === false
          ? { budgets: { [budget.name]: { limit: perWindow * 2 } } }
          : undefined;
      const s = await start({ counts: { contact: 20, deal: 10 }, settings });
      expect(budget.limit).toBeGreaterThan(perWindow);
      // The declared default is larger; the sandbox reports `perWindow`. One call teaches the budget.
      await target.allocation.set(s, perWindow);
      s.clearLog();
      const ids = s.liveIds('deal').slice(0, 3);
      let served = 0;
      let refusal: CrmError | null = null;
      for (let i = 0; i < 40 && !refusal; i += 1) {
        try {
          await s.connector('background').getRecords('deal', ids);
          served += 1;
        } catch (err) {
          refusal = err as CrmError;
        }
      }
      expect(refusal).toMatchObject({ code: 'RATE_LIMITED' });
      expect(refusal?.retryAfterMs).toBeGreaterThan(0);
      // Background work leaves the interactive share alone, and the vendor never had to say no.
      const reserve = budget.interactiveReserve ?? DEFAULT_INTERACTIVE_RESERVE;
      expect(served).toBeGreaterThan(perWindow / 3);
      expect(served).toBeLessThanOrEqual(perWindow * (1 - reserve));
      expect(s.log().filter((e) => e.status >= 400)).toEqual([]);
      expect(s.calls(target.routes.bulkRead('deal'))).toBe(served);
      // The interactive share is still there for a query a user waits on.
      await expect(s.connector('interactive').getRecords('deal', ids)).resolves.toHaveLength(3);
    });

    it('refreshes an access token that expires mid-run once, for two concurrent callers, and carries on', async () => {
      const s = await start({ counts: { contact: 500, deal: 10 } });
      const pageSize = 100;
      const connector = s.connector();
      const first = await connector.listRecords('contact', { pageSize });
      await s.expireAccessTokens();
      s.clearLog();
      const [page, deals] = await Promise.all([
        connector.listRecords('contact', { pageSize, cursor: first.nextCursor }),
        s.connector().getRecords('deal', s.liveIds('deal').slice(0, 5)),
      ]);
      expect(page.items).toHaveLength(pageSize);
      expect(page.items.filter((r) => first.items.some((f) => f.remoteId === r.remoteId))).toEqual([]);
      expect(deals.filter((r) => r !== null)).toHaveLength(5);
      expect(s.calls(target.routes.token)).toBe(1);
      expect(await s.connectionStatus()).toBe('ACTIVE');
      expect(s.events).toEqual([]);
    });

    it('moves the connection to NEEDS_REAUTH, with a connectionEvents event, when the refresh token is revoked', async () => {
      const s = await start({ counts: { contact: 10, deal: 10 } });
      await s.revokeRefreshTokens();
      await s.expireAccessTokens();
      const err = await rejection(s.connector().getRecords('contact', s.liveIds('contact').slice(0, 2)));
      expect(err.code).toBe('NEEDS_REAUTH');
      expect(await s.connectionStatus()).toBe('NEEDS_REAUTH');
      expect(s.events).toEqual([{ connectionId: s.connectionId, status: 'NEEDS_REAUTH' }]);
    });
  });
}
