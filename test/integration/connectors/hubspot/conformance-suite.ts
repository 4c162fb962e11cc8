import { type CrmKind } from '../../../../src/config/crms';
import { type CallPriority } from '../../../../src/connectors/http/http.types';
import {
  type CrmConnector,
  type CrmObject,
  type NativeChange,
  type NativeValue,
  type RecordWrite,
} from '../../../../src/connectors/types';
import { type CrmError } from '../../../../src/errors';
import { type RequestLogEntry } from '../../../../src/sandbox/core';
import { rejection } from '../../../support/connector-doubles';

/**
 * The connector conformance suite, vendor-neutral: a function of a target (how to start the vendor's
 * sandbox, build a connector on it and drive the sandbox as a CRM user would). Written to be folded into
 * `test/integration/conformance/` as it is; until then each connector's test file calls it.
 */

export interface ConformanceSandbox {
  /** A connector on this sandbox connection; one per request/job, as in production. */
  connector(priority?: CallPriority): CrmConnector;
  /** Vendor calls the sandbox logged since the last `clearLog`, whose `METHOD route` matches. */
  calls(route: RegExp): number;
  clearLog(): void;
  log(): RequestLogEntry[];
  /** Vendor truth: ids of live records, in the vendor's order. */
  liveIds(obj: CrmObject): string[];
  /** Creates records as a CRM user, every one stamped at the same instant `at` (sandbox epoch ms). */
  createAt(obj: CrmObject, fields: Record<string, string>[], at: number): string[];
  /** Soft-deletes a record as a CRM user at `at`. */
  archiveAt(obj: CrmObject, id: string, at: number): void;
  associate(contactId: string, dealId: string): void;
  /** The vendor's associated ids of `from` → `to`. */
  associated(from: CrmObject, id: string, to: CrmObject): string[];
  /** Current sandbox time (epoch ms). */
  now(): number;
  setFaults(patch: Record<string, unknown>): Promise<void>;
  /** Every access token of the org expires now. */
  expireAccessTokens(): Promise<void>;
  /** Every refresh token of the org is revoked. */
  revokeRefreshTokens(): Promise<void>;
  /** The connection's status in the gateway's store. */
  connectionStatus(): Promise<string>;
  close(): Promise<void>;
}

export interface ConformanceTarget {
  crm: CrmKind;
  /** Starts a sandbox seeded with `counts` and a connection on it authorized through the real OAuth flow. */
  start(counts: Record<CrmObject, number>): Promise<ConformanceSandbox>;
  routes: {
    /** `METHOD route` keys of the bulk read (getRecords) and bulk write (upsertRecords) calls. */
    bulkRead: (obj: CrmObject) => RegExp;
    bulkWrite: (obj: CrmObject) => RegExp;
    /** Calls that obtain tokens (refresh). */
    token: RegExp;
  };
  samples: {
    /** A valid contact, unique by `i`. */
    contact: (i: number) => Record<string, NativeValue>;
    /** A contact the vendor refuses (an invalid email). */
    invalidContact: (i: number) => Record<string, NativeValue>;
    /** The contact field that upserts are keyed by (unique, external id). */
    contactExternalId: string;
    /** A custom contact field and a value it accepts. */
    customField: { name: string; value: string };
    /** Native name of the contact's email field. */
    email: string;
  };
}

async function walkChanges(connector: CrmConnector, obj: CrmObject, since: Date): Promise<NativeChange[]> {
  const out: NativeChange[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 1000; pages += 1) {
    const page = await connector.listChanges(obj, { since, cursor, pageSize: 100 });
    out.push(...page.items);
    cursor = page.nextCursor;
    if (!cursor) return out;
  }
  throw new Error('listChanges did not end within 1000 pages');
}

export function describeConformance(target: ConformanceTarget): void {
  describe(`${target.crm} connector conformance`, () => {
    let sb: ConformanceSandbox;
    beforeEach(async () => {
      sb = await target.start({ contact: 260, deal: 40 });
    });
    afterEach(async () => {
      await sb.close();
    });

    it('lists every live record to the end, each once', async () => {
      const connector = sb.connector();
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page = await connector.listRecords('contact', { pageSize: 100, cursor });
        seen.push(...page.items.map((r) => r.remoteId));
        cursor = page.nextCursor;
      } while (cursor);
      expect(seen.length).toBe(new Set(seen).size);
      expect(new Set(seen)).toEqual(new Set(sb.liveIds('contact')));
    });

    it('reads 500 ids in ⌈500 / readBatch⌉ bulk calls, one result per id in order', async () => {
      for (let i = 0; i < 300; i += 1)
        sb.createAt('contact', [{ [target.samples.email]: `bulk${i}@read.test` }], sb.now());
      const connector = sb.connector();
      const ids = sb.liveIds('contact').slice(0, 500);
      expect(ids).toHaveLength(500);
      const { readBatch } = connector.limits;
      sb.clearLog();
      const got: (string | null)[] = [];
      for (let i = 0; i < ids.length; i += readBatch) {
        const records = await connector.getRecords('contact', ids.slice(i, i + readBatch));
        got.push(...records.map((r) => r?.remoteId ?? null));
      }
      expect(got).toEqual(ids);
      expect(sb.calls(target.routes.bulkRead('contact'))).toBe(Math.ceil(500 / readBatch));
    });

    it('reports changes since T: records with equal timestamps once each, and deletions', async () => {
      const t = sb.now() - 30_000;
      const same = t + 1_000;
      const created = sb.createAt(
        'contact',
        Array.from({ length: 150 }, (_, i) => ({ [target.samples.email]: `same${i}@ts.test` })),
        same,
      );
      const doomed = sb.liveIds('contact').slice(0, 3);
      for (const id of doomed) sb.archiveAt('contact', id, t + 2_000);
      const changes = await walkChanges(sb.connector('background'), 'contact', new Date(t));
      const upserted = changes.filter((c) => c.kind === 'UPSERTED').map((c) => c.remoteId);
      const deleted = changes.filter((c) => c.kind === 'DELETED').map((c) => c.remoteId);
      expect(upserted.length).toBe(new Set(upserted).size);
      expect(upserted).toEqual(expect.arrayContaining(created));
      expect(deleted).toEqual(expect.arrayContaining(doomed));
      expect(upserted).not.toEqual(expect.arrayContaining([doomed[0]]));
      const one = changes.find((c) => c.remoteId === created[0]);
      expect(one?.record?.fields[target.samples.email]).toBe('same0@ts.test');
      expect(Date.parse(one?.occurredAt ?? '')).toBe(same);
    });

    it('describes custom fields and round-trips a value through write and read', async () => {
      const connector = sb.connector();
      const fields = await connector.describeFields('contact');
      const custom = fields.find((f) => f.name === target.samples.customField.name);
      expect(custom?.custom).toBe(true);
      expect(fields.find((f) => f.name === target.samples.email)?.custom).toBe(false);
      const [res] = await connector.upsertRecords('contact', [
        {
          ref: 'c1',
          fields: { ...target.samples.contact(1), [custom!.name]: target.samples.customField.value },
        },
      ]);
      expect(res?.ok).toBe(true);
      const [read] = await connector.getRecords('contact', [res?.ok ? res.remoteId : '']);
      expect(read?.fields[custom!.name]).toBe(target.samples.customField.value);
    });

    it('reads associations in batches, matching the vendor', async () => {
      const contacts = sb.liveIds('contact').slice(0, 120);
      const deals = sb.liveIds('deal');
      contacts.forEach((c, i) => sb.associate(c, deals[i % deals.length] as string));
      const connector = sb.connector();
      sb.clearLog();
      const map = await connector.getAssociations('contact', contacts, 'deal');
      for (const c of contacts)
        expect(new Set(map.get(c))).toEqual(new Set(sb.associated('contact', c, 'deal')));
      const back = await connector.getAssociations('deal', [deals[0] as string], 'contact');
      expect(new Set(back.get(deals[0] as string))).toEqual(
        new Set(sb.associated('deal', deals[0] as string, 'contact')),
      );
    });

    it('upserts 1,000 records in ⌈1,000 / writeBatch⌉ calls; the invalid ones fail alone, per record', async () => {
      const connector = sb.connector('background');
      const { writeBatch } = connector.limits;
      const bad = new Set([3, 250, 251, 777, 999]);
      const writes: RecordWrite[] = Array.from({ length: 1000 }, (_, i) => ({
        ref: `w${i}`,
        externalId: { field: target.samples.contactExternalId, value: `conf-${i}` },
        fields: bad.has(i) ? target.samples.invalidContact(i) : target.samples.contact(i),
      }));
      sb.clearLog();
      const results = [];
      for (let i = 0; i < writes.length; i += writeBatch) {
        results.push(...(await connector.upsertRecords('contact', writes.slice(i, i + writeBatch))));
      }
      expect(sb.calls(target.routes.bulkWrite('contact'))).toBe(Math.ceil(1000 / writeBatch));
      expect(results.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
      const failed = results.filter((r) => !r.ok);
      expect(failed.map((r) => r.ref)).toEqual([...bad].map((i) => `w${i}`));
      for (const f of failed) if (!f.ok) expect(f.error.code).toBe('VALIDATION');
      const okIds = results.flatMap((r) => (r.ok ? [r.remoteId] : []));
      expect(new Set(okIds).size).toBe(995);
      // Upserting the same keys again creates nothing new.
      const again = await connector.upsertRecords(
        'contact',
        writes.slice(0, writeBatch).filter((_, i) => !bad.has(i)),
      );
      expect(again.every((r) => r.ok && !r.created)).toBe(true);
    });

    it('survives a rate-limit storm without calling the vendor before the wait it was told', async () => {
      const connector = sb.connector('background');
      const told: { at: number; waitMs: number }[] = [];
      await sb.setFaults({ rateLimitStormMs: 1500 });
      sb.clearLog();
      const started = Date.now();
      let records: unknown[] | null = null;
      while (!records && Date.now() - started < 20_000) {
        try {
          records = await connector.getRecords('contact', sb.liveIds('contact').slice(0, 10));
        } catch (err) {
          const e = err as CrmError;
          expect(e.code).toBe('RATE_LIMITED');
          expect(e.retryAfterMs).toBeGreaterThanOrEqual(0);
          // What the queue would do: come back after the wait it was told.
          told.push({ at: sb.now(), waitMs: e.retryAfterMs ?? 0 });
          await new Promise((r) => setTimeout(r, e.retryAfterMs ?? 0));
        }
      }
      expect(records).toHaveLength(10);
      const limited = sb.log().filter((e) => e.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      // After every 429, the next vendor call came no earlier than the wait the caller was told.
      const entries = sb.log();
      for (let i = 0; i < entries.length - 1; i += 1) {
        const e = entries[i] as RequestLogEntry;
        if (e.status !== 429) continue;
        const wait = told.find((t) => t.at >= e.at)?.waitMs ?? 0;
        expect((entries[i + 1] as RequestLogEntry).at - e.at).toBeGreaterThanOrEqual(wait - 25);
      }
    });

    it('refreshes a token that expires mid-run and carries on', async () => {
      const connector = sb.connector();
      const first = await connector.listRecords('contact', { pageSize: 50 });
      await sb.expireAccessTokens();
      sb.clearLog();
      const second = await connector.listRecords('contact', { pageSize: 50, cursor: first.nextCursor });
      expect(second.items).toHaveLength(50);
      expect(sb.calls(target.routes.token)).toBe(1);
      expect(await sb.connectionStatus()).toBe('ACTIVE');
    });

    it('moves the connection to NEEDS_REAUTH when the refresh token is revoked', async () => {
      const connector = sb.connector();
      await sb.revokeRefreshTokens();
      await sb.expireAccessTokens();
      const err = await rejection(connector.getRecords('contact', sb.liveIds('contact').slice(0, 2)));
      expect(err.code).toBe('NEEDS_REAUTH');
      expect(await sb.connectionStatus()).toBe('NEEDS_REAUTH');
    });
  });
}
