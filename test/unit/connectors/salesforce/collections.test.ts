import { type RecordWrite } from '../../../../src/connectors/types';
import { DATA, salesforce, sf, sfId } from './sf-context';

type CollectionBody = { allOrNone: boolean; records: Record<string, unknown>[] };

describe('Salesforce upsertRecords through sObject Collections', () => {
  it('upserts by external id with allOrNone false and reports each record, failures typed from their statusCode', async () => {
    const { connector } = salesforce();
    let body: CollectionBody | undefined;
    sf()
      .patch(`${DATA}/composite/sobjects/Contact/Ext_Id__c`, (b: CollectionBody) => {
        body = b;
        return true;
      })
      .reply(200, [
        { id: sfId('003', 1), success: true, errors: [], created: true },
        {
          success: false,
          errors: [
            {
              statusCode: 'REQUIRED_FIELD_MISSING',
              message: 'Required fields are missing: [LastName]',
              fields: ['LastName'],
            },
          ],
        },
        { id: sfId('003', 3), success: true, errors: [], created: false },
        {
          success: false,
          errors: [{ statusCode: 'DUPLICATES_DETECTED', message: 'Use one of these records?', fields: [] }],
        },
      ]);
    const writes: RecordWrite[] = [1, 2, 3, 4].map((n) => ({
      ref: `op-${n}`,
      externalId: { field: 'Ext_Id__c', value: `CUST-${n}` },
      fields: (n === 2
        ? { Email: 'nolastname@example.com' }
        : { LastName: `Last${n}`, Id: 'ignored' }) as Record<string, string>,
    }));
    const results = await connector.upsertRecords('contact', writes);
    expect(body?.allOrNone).toBe(false);
    expect(body?.records[0]).toEqual({
      attributes: { type: 'Contact' },
      Ext_Id__c: 'CUST-1',
      LastName: 'Last1',
    });
    expect(results[0]).toEqual({ ref: 'op-1', ok: true, remoteId: sfId('003', 1), created: true });
    expect(results[1]).toMatchObject({
      ref: 'op-2',
      ok: false,
      error: { code: 'VALIDATION', vendorCode: 'REQUIRED_FIELD_MISSING' },
    });
    expect(results[1].ok ? '' : results[1].error.message).toMatch(
      /REQUIRED_FIELD_MISSING: Required fields are missing: \[LastName\] \[LastName\]/,
    );
    expect(results[2]).toEqual({ ref: 'op-3', ok: true, remoteId: sfId('003', 3), created: false });
    expect(results[3]).toMatchObject({
      ok: false,
      error: { code: 'CONFLICT', vendorCode: 'DUPLICATES_DETECTED' },
    });
  });

  it('sends 1,000 upserts in ⌈1,000 / 200⌉ = 5 calls of at most 200 records', async () => {
    const { connector, budget } = salesforce();
    const sizes: number[] = [];
    sf()
      .patch(`${DATA}/composite/sobjects/Opportunity/Ext_Id__c`, (b: CollectionBody) => {
        sizes.push(b.records.length);
        return true;
      })
      .times(5)
      .reply(200, async (req: Request) =>
        ((await req.json()) as CollectionBody).records.map((_, i) => ({
          id: sfId('006', i),
          success: true,
          errors: [],
          created: true,
        })),
      );
    const writes = Array.from({ length: 1000 }, (_, n) => ({
      ref: `w${n}`,
      externalId: { field: 'Ext_Id__c', value: `D-${n}` },
      fields: { Name: `Deal ${n}`, StageName: 'Prospecting', CloseDate: '2025-01-31' },
    }));
    const results = await connector.upsertRecords('deal', writes);
    expect(sizes).toEqual([200, 200, 200, 200, 200]);
    expect(budget.acquired).toHaveLength(5);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.map((r) => r.ref)).toEqual(writes.map((w) => w.ref));
  });

  it('updates by id (PATCH) and creates the rest (POST), results back in the order of the writes', async () => {
    const { connector } = salesforce();
    let updateBody: CollectionBody | undefined;
    sf()
      .patch(`${DATA}/composite/sobjects`, (b: CollectionBody) => {
        updateBody = b;
        return true;
      })
      .reply(200, [{ id: sfId('003', 7), success: true, errors: [] }])
      .post(`${DATA}/composite/sobjects`)
      .reply(200, [{ id: sfId('003', 8), success: true, errors: [] }]);
    const results = await connector.upsertRecords('contact', [
      { ref: 'create', fields: { LastName: 'New' } },
      { ref: 'update', remoteId: sfId('003', 7), fields: { Email: 'x@y.example' } },
      { ref: 'bad-id', remoteId: "003' OR 1=1", fields: {} },
    ]);
    expect(updateBody?.records).toEqual([
      { attributes: { type: 'Contact' }, id: sfId('003', 7), Email: 'x@y.example' },
    ]);
    expect(results).toEqual([
      { ref: 'create', ok: true, remoteId: sfId('003', 8), created: true },
      { ref: 'update', ok: true, remoteId: sfId('003', 7), created: false },
      expect.objectContaining({ ref: 'bad-id', ok: false }),
    ]);
  });

  it('does not resend a create whose outcome is unknown (a 500 may hide records that were created)', async () => {
    const { connector } = salesforce();
    sf()
      .post(`${DATA}/composite/sobjects`)
      .reply(500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }]);
    await expect(
      connector.upsertRecords('contact', [{ ref: 'c', fields: { LastName: 'X' } }]),
    ).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { outcomeUnknown: true },
    });
  });

  it('resends an upsert by external id after a 500 (it is idempotent)', async () => {
    const { connector, slept } = salesforce();
    sf()
      .patch(`${DATA}/composite/sobjects/Contact/Ext_Id__c`)
      .reply(500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'boom' }])
      .patch(`${DATA}/composite/sobjects/Contact/Ext_Id__c`)
      .reply(200, [{ id: sfId('003', 1), success: true, errors: [], created: true }]);
    const [result] = await connector.upsertRecords('contact', [
      { ref: 'u', externalId: { field: 'Ext_Id__c', value: 'K' }, fields: { LastName: 'X' } },
    ]);
    expect(result).toMatchObject({ ok: true, created: true });
    expect(slept).toHaveLength(1);
  });
});

describe('Salesforce deleteRecords', () => {
  it('deletes through sObject Collections, counting an already deleted record as deleted', async () => {
    const { connector } = salesforce();
    let ids = '';
    sf()
      .delete(`${DATA}/composite/sobjects`)
      .query((q) => {
        ids = String(q.ids);
        return true;
      })
      .reply(200, [
        { id: sfId('003', 1), success: true, errors: [] },
        {
          id: sfId('003', 2),
          success: false,
          errors: [{ statusCode: 'ENTITY_IS_DELETED', message: 'entity is deleted', fields: [] }],
        },
        {
          id: sfId('003', 3),
          success: false,
          errors: [{ statusCode: 'INSUFFICIENT_ACCESS_OR_READONLY', message: 'no', fields: [] }],
        },
      ]);
    const results = await connector.deleteRecords('contact', [
      sfId('003', 1),
      sfId('003', 2),
      sfId('003', 3),
      'x&allOrNone=true',
    ]);
    expect(ids.split(',')).toEqual([sfId('003', 1), sfId('003', 2), sfId('003', 3)]);
    expect(results.map((r) => r.ok)).toEqual([true, true, false, false]);
    expect(results[2]).toMatchObject({
      error: { code: 'UPSTREAM', vendorCode: 'INSUFFICIENT_ACCESS_OR_READONLY' },
    });
    expect(results[3]).toMatchObject({ ref: 'x&allOrNone=true', error: { code: 'VALIDATION' } });
  });
});
