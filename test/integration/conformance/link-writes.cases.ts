import {
  type CrmConnector,
  type CrmObject,
  type LinkPair,
  type WriteResult,
} from '../../../src/connectors/types';
import { type ConformanceSandbox, type ConformanceStart, type ConformanceTarget } from './target';

/**
 * Association writes (`linkRecords` / `unlinkRecords`, src/connectors/types.ts) against the vendor's
 * sandbox: one result per pair in order, idempotent both ways, a pair naming an unknown record failing
 * alone with NOT_FOUND, and the vendor's own state (its store, and `getAssociations`) as the truth.
 */

const sorted = (ids: Iterable<string>) => [...ids].sort();

function expectOk(results: WriteResult[], pairs: readonly LinkPair[]): void {
  expect(results).toHaveLength(pairs.length);
  results.forEach((r, i) => {
    expect(r).toEqual({ ref: pairs[i]!.ref, ok: true, remoteId: pairs[i]!.fromId, created: false });
  });
}

/**
 * Pairs sent as the contract allows, `writeBatch` at most per call (one per call for a vendor that
 * writes one link per call), results in order.
 */
async function inBatches(
  connector: CrmConnector,
  write: 'linkRecords' | 'unlinkRecords',
  from: CrmObject,
  to: CrmObject,
  pairs: readonly LinkPair[],
): Promise<WriteResult[]> {
  const out: WriteResult[] = [];
  const size = connector.limits.writeBatch;
  for (let i = 0; i < pairs.length; i += size)
    out.push(...(await connector[write](from, to, pairs.slice(i, i + size))));
  return out;
}

export function describeLinkWrites<S extends ConformanceSandbox>(
  target: ConformanceTarget<S>,
  start: (options: ConformanceStart) => Promise<S>,
): void {
  const { samples } = target;

  describe('association writes (linkRecords / unlinkRecords)', () => {
    /** New contacts and deals, linked to nothing, so each case starts from a known state. */
    function unlinked(s: S, n: number): { contacts: string[]; deals: string[] } {
      const at = s.now();
      const rows = (obj: 'contact' | 'deal') =>
        Array.from({ length: n }, (_, i) =>
          samples.newRecord(obj, 900_000 + Math.floor(Math.random() * 1e5) + i),
        );
      return {
        contacts: s.createAt('contact', rows('contact'), at),
        deals: s.createAt('deal', rows('deal'), at),
      };
    }

    it('links, links again (a success), reads the links back, unlinks, unlinks again (a success)', async () => {
      const s = await start({ counts: { contact: 20, deal: 20 } });
      const connector = s.connector('background');
      const { contacts, deals } = unlinked(s, 4);
      // Two contacts on one deal, where a deal can hold several; else the second on a deal of its own.
      const one = target.oneContactPerDeal === true;
      const dealOfB = one ? deals[3]! : deals[0]!;
      const onFirstDeal = one ? [contacts[0]!] : [contacts[0]!, contacts[1]!];
      const pairs: LinkPair[] = [
        { ref: 'a', fromId: contacts[0]!, toId: deals[0]! },
        { ref: 'b', fromId: contacts[1]!, toId: dealOfB },
        { ref: 'c', fromId: contacts[2]!, toId: deals[1]! },
      ];

      expectOk(await inBatches(connector, 'linkRecords', 'contact', 'deal', pairs), pairs);
      expect(sorted(s.associated('deal', deals[0]!, 'contact'))).toEqual(sorted(onFirstDeal));
      expect(s.associated('contact', contacts[2]!, 'deal')).toEqual([deals[1]]);

      // Again: nothing changes, every pair still a success.
      expectOk(await inBatches(s.connector('background'), 'linkRecords', 'contact', 'deal', pairs), pairs);
      expect(sorted(s.associated('deal', deals[0]!, 'contact'))).toEqual(sorted(onFirstDeal));

      // The other direction: a deal's pair names the deal first.
      const reverse: LinkPair[] = [{ ref: 'd', fromId: deals[2]!, toId: contacts[2]! }];
      expectOk(await inBatches(connector, 'linkRecords', 'deal', 'contact', reverse), reverse);
      expect(sorted(s.associated('contact', contacts[2]!, 'deal'))).toEqual(sorted([deals[1]!, deals[2]!]));

      // The read path sees what the write path wrote.
      const read = await connector.getAssociations('contact', contacts, 'deal');
      expect(read.get(contacts[0]!)).toEqual([deals[0]]);
      expect(read.get(contacts[1]!)).toEqual([dealOfB]);
      expect(sorted(read.get(contacts[2]!) ?? [])).toEqual(sorted([deals[1]!, deals[2]!]));

      const unlink = [pairs[0]!, pairs[2]!];
      expectOk(await inBatches(connector, 'unlinkRecords', 'contact', 'deal', unlink), unlink);
      expect(s.associated('contact', contacts[0]!, 'deal')).toEqual([]);
      expect(s.associated('contact', contacts[2]!, 'deal')).toEqual([deals[2]]);
      expect(s.associated('contact', contacts[1]!, 'deal')).toEqual([dealOfB]);
      const after = await connector.getAssociations('contact', contacts, 'deal');
      expect(after.get(contacts[0]!)).toEqual([]);
      expect(after.get(contacts[2]!)).toEqual([deals[2]]);

      // Again: not linked is what was asked for.
      expectOk(await inBatches(connector, 'unlinkRecords', 'contact', 'deal', unlink), unlink);
      expect(s.associated('contact', contacts[0]!, 'deal')).toEqual([]);
    });

    it('a pair naming an unknown record fails alone with NOT_FOUND; the others of the batch are written', async () => {
      const s = await start({ counts: { contact: 20, deal: 20 } });
      const connector = s.connector('background');
      const { contacts, deals } = unlinked(s, 3);
      const pairs: LinkPair[] = [
        { ref: 'good-1', fromId: contacts[0]!, toId: deals[0]! },
        { ref: 'no-deal', fromId: contacts[1]!, toId: samples.unknownId('deal') },
        { ref: 'no-contact', fromId: samples.unknownId('contact'), toId: deals[1]! },
        { ref: 'good-2', fromId: contacts[2]!, toId: deals[2]! },
      ];
      const results = await inBatches(connector, 'linkRecords', 'contact', 'deal', pairs);
      expect(results.map((r) => r.ref)).toEqual(pairs.map((p) => p.ref));
      expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
        'ok',
        'NOT_FOUND',
        'NOT_FOUND',
        'ok',
      ]);
      expect(s.associated('contact', contacts[0]!, 'deal')).toEqual([deals[0]]);
      expect(s.associated('contact', contacts[2]!, 'deal')).toEqual([deals[2]]);
      expect(s.associated('contact', contacts[1]!, 'deal')).toEqual([]);
      expect(s.associated('deal', deals[1]!, 'contact')).toEqual([]);

      // Unlinking a pair with an unknown record: there is no such link, which is what was asked for.
      const unlink: LinkPair[] = [
        { ref: 'u-1', fromId: contacts[1]!, toId: samples.unknownId('deal') },
        { ref: 'u-2', fromId: contacts[0]!, toId: deals[0]! },
      ];
      expectOk(await inBatches(connector, 'unlinkRecords', 'contact', 'deal', unlink), unlink);
      expect(s.associated('contact', contacts[0]!, 'deal')).toEqual([]);
    });

    it('refuses more than writeBatch pairs in one call, writing none', async () => {
      const s = await start({ counts: { contact: 5, deal: 5 } });
      const connector = s.connector('background');
      const { writeBatch } = connector.limits;
      const {
        contacts: [c],
        deals: [d],
      } = unlinked(s, 1);
      const tooMany = Array.from({ length: writeBatch + 1 }, (_, i) => ({
        ref: String(i),
        fromId: c!,
        toId: d!,
      }));
      await expect(connector.linkRecords('contact', 'deal', tooMany)).rejects.toMatchObject({
        code: 'VALIDATION',
      });
      expect(s.associated('contact', c!, 'deal')).not.toContain(d);
    });
  });
}
