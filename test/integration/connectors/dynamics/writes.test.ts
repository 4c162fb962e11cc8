import { type DynamicsHarness, startHarness } from './harness';

describe('Dynamics connector writes against the Dataverse sandbox', () => {
  let h: DynamicsHarness;
  beforeAll(async () => {
    h = await startHarness({ contact: 10, opportunity: 6, account: 2 });
  });
  afterAll(() => h.close());

  const batches = () => h.server.org().log.count((key) => key.startsWith('POST') && key.includes('$batch'));

  it('creates, updates and upserts by key in ONE $batch, one result per record in order, a refusal alone', async () => {
    const connector = h.connector();
    const existing = [...h.server.org().state.store.table('contact').keys()][0].toLowerCase();
    const before = batches();
    const results = await connector.upsertRecords('contact', [
      { ref: 'new', fields: { firstname: 'Ada', lastname: 'Lovelace' } },
      { ref: 'upd', remoteId: existing, fields: { jobtitle: 'Engineer' } },
      {
        ref: 'key',
        externalId: { field: 'cr8f3_externalid', value: "gw-o'neil-1" },
        fields: { lastname: "O'Neil" },
      },
      { ref: 'bad', fields: { lastname: 'x', not_a_column: 1 } },
      { ref: 'gone', remoteId: '00000000-0000-4000-8000-000000000001', fields: { lastname: 'y' } },
    ]);
    expect(batches() - before).toBe(1);
    expect(results.map((r) => [r.ref, r.ok, r.ok ? r.created : r.error.code])).toEqual([
      ['new', true, true],
      ['upd', true, false],
      ['key', true, true],
      ['bad', false, 'VALIDATION'],
      ['gone', false, 'NOT_FOUND'],
    ]);
    const [created, updated, keyed] = await connector.getRecords(
      'contact',
      results.slice(0, 3).map((r) => (r.ok ? r.remoteId : '')),
    );
    expect(created?.fields.firstname).toBe('Ada');
    expect(updated?.fields.jobtitle).toBe('Engineer');
    expect(keyed?.fields.lastname).toBe("O'Neil");
    // The same key again updates the same row: retry-safe.
    const again = await connector.upsertRecords('contact', [
      {
        ref: 'key',
        externalId: { field: 'cr8f3_externalid', value: "gw-o'neil-1" },
        fields: { lastname: 'N' },
      },
    ]);
    expect(again).toEqual([
      { ref: 'key', ok: true, remoteId: results[2].ok && results[2].remoteId, created: false },
    ]);
  });

  it('wins and loses deals through WinOpportunity / LoseOpportunity, with stage and amount written alongside', async () => {
    const connector = h.connector();
    const open = [...h.server.org().state.store.table('opportunity').values()]
      .filter((r) => r.values.statecode === 0)
      .map((r) => r.id.toLowerCase());
    expect(open.length).toBeGreaterThanOrEqual(2);
    const results = await connector.upsertRecords('deal', [
      { ref: 'w', remoteId: open[0], fields: { estimatedvalue: 1200.5, salesstage: '3', statecode: '1' } },
      { ref: 'l', remoteId: open[1], fields: { statecode: '2' } },
    ]);
    expect(results.every((r) => r.ok)).toBe(true);
    const [won, lost] = await connector.getRecords('deal', [open[0], open[1]]);
    expect(won?.fields).toMatchObject({ statecode: 1, statuscode: 3, salesstage: 3, estimatedvalue: 1200.5 });
    expect(lost?.fields).toMatchObject({ statecode: 2, statuscode: 4 });
  });

  it('deletes in one $batch; an id already gone is a success', async () => {
    const connector = h.connector();
    const id = [...h.server.org().state.store.table('contact').keys()][1].toLowerCase();
    const results = await connector.deleteRecords('contact', [id, id]);
    expect(results).toEqual([
      { ref: id, ok: true, remoteId: id, created: false },
      { ref: id, ok: true, remoteId: id, created: false },
    ]);
    expect(await connector.getRecords('contact', [id])).toEqual([null]);
  });

  it('sets a deal’s currency by its ISO code through the currency table’s alternate key; an unknown code fails alone', async () => {
    const connector = h.connector();
    const org = h.server.org();
    org.state.store.insert(
      'transactioncurrency',
      '5c7f3b0e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
      { currencyname: 'Euro', isocurrencycode: 'EUR', currencysymbol: '€', exchangerate: 0.9 },
      { userId: org.state.applicationUserId, now: org.now() },
    );
    const results = await connector.upsertRecords('deal', [
      {
        ref: 'eur',
        fields: { name: 'In euros', estimatedvalue: 10, 'transactioncurrencyid.isocurrencycode': 'EUR' },
      },
      { ref: 'xxx', fields: { name: 'Nowhere', 'transactioncurrencyid.isocurrencycode': 'XXX' } },
    ]);
    expect(results.map((r) => [r.ref, r.ok ? 'ok' : r.error.code])).toEqual([
      ['eur', 'ok'],
      ['xxx', 'NOT_FOUND'],
    ]);
    const [deal] = await connector.getRecords('deal', [results[0].ok ? results[0].remoteId : '']);
    expect(deal?.fields['transactioncurrencyid.isocurrencycode']).toBe('EUR');
  });
});
