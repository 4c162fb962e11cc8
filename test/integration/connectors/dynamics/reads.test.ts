import { type NativeRecord } from '../../../../src/connectors/types';
import { type DynamicsHarness, startHarness } from './harness';

/** Every record of a listing, following cursors to the end at a page size. */
async function listAll(
  h: DynamicsHarness,
  obj: 'contact' | 'deal',
  pageSize: number,
): Promise<{ records: NativeRecord[]; cursors: string[] }> {
  const connector = h.connector();
  const records: NativeRecord[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  do {
    const page = await connector.listRecords(obj, { pageSize, cursor });
    records.push(...page.items);
    cursor = page.nextCursor;
    if (cursor) cursors.push(cursor);
  } while (cursor);
  return { records, cursors };
}

describe('Dynamics connector reads against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 40, opportunity: 15, account: 5 });
  });
  afterAll(() => h.close());

  const contactIds = () => [...h.server.org().state.store.table('contact').keys()];

  it.each([1, 7, 13, 40, 41])(
    'lists every contact once at page size %i, cursors holding no vendor URL',
    async (size) => {
      const { records, cursors } = await listAll(h, 'contact', size);
      expect(records.map((r) => r.remoteId).sort()).toEqual(
        contactIds()
          .map((id) => id.toLowerCase())
          .sort(),
      );
      expect(cursors).toHaveLength(Math.ceil(40 / size) - 1);
      for (const cursor of cursors) {
        const decoded = Buffer.from(cursor, 'base64url').toString();
        expect(decoded).not.toMatch(/http|127\.0\.0\.1|api\/data/);
        expect(Object.keys(JSON.parse(decoded) as object).sort()).toEqual(['n', 's', 'v']);
      }
    },
  );

  it('reads deals with amount, currency code, stage and state', async () => {
    const { records } = await listAll(h, 'deal', 6);
    expect(records).toHaveLength(15);
    const deal = records[0];
    expect(deal.fields).toHaveProperty('estimatedvalue');
    expect(typeof deal.fields['transactioncurrencyid.isocurrencycode']).toBe('string');
    expect([0, 1, 2]).toContain(deal.fields.statecode);
    expect(deal.updatedAt).toBe(deal.fields.modifiedon);
  });

  it('gets rows by id in ONE call, in order, null for misses and non-GUIDs', async () => {
    const ids = contactIds().slice(0, 5);
    const before = h.server.org().log.total;
    const missing = '00000000-0000-4000-8000-000000000000';
    const got = await h
      .connector()
      .getRecords('contact', [ids[3], missing, ids[0].toUpperCase(), 'nope', ids[3]]);
    expect(h.server.org().log.total - before).toBe(1);
    expect(got.map((r) => r?.remoteId ?? null)).toEqual([
      ids[3].toLowerCase(),
      null,
      ids[0].toLowerCase(),
      null,
      ids[3].toLowerCase(),
    ]);
    expect(await h.connector().getRecords('contact', ['nope'])).toEqual([null]);
  });

  it('pushes modifiedSince down as modifiedon ge', async () => {
    const all = (await listAll(h, 'contact', 5000)).records;
    const stamps = all.map((r) => r.updatedAt!).sort();
    const since = new Date(stamps[Math.floor(stamps.length / 2)]);
    const page = await h
      .connector()
      .listRecords('contact', { pageSize: 5000, filter: { modifiedSince: since } });
    expect(page.items.length).toBe(stamps.filter((s) => new Date(s) >= since).length);
  });

  it('describes columns with types, choices, lookups and alternate keys', async () => {
    const fields = await h.connector().describeFields('deal');
    const byName = new Map(fields.map((f) => [f.name, f]));
    expect(byName.get('estimatedvalue')?.type).toBe('currency');
    expect(byName.get('estimatedclosedate')?.type).toBe('date');
    expect(byName.get('statecode')?.picklistValues?.map((o) => o.value)).toEqual(['0', '1', '2']);
    expect(byName.get('salesstage')?.picklistValues?.map((o) => o.label)).toEqual([
      'Qualify',
      'Develop',
      'Propose',
      'Close',
    ]);
    expect(byName.get('_parentcontactid_value')).toMatchObject({
      type: 'reference',
      referenceTo: ['contact'],
      relationshipName: 'parentcontactid',
    });
    const contact = await h.connector().describeFields('contact');
    expect(contact.find((f) => f.name === 'emailaddress1')?.type).toBe('email');
    expect(contact.filter((f) => f.custom).every((f) => f.name.startsWith('cr8f3_'))).toBe(true);
  });
});
