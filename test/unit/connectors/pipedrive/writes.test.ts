import nock from '../../../support/nock';
import { DOMAIN, KEY, V2, fieldsOnce, ok, pipedrive } from './pd-context';

/** Writes, one record per call (docs/vendors/pipedrive.md "Connector: writes and the gateway key"). */

const current = {
  id: 3,
  first_name: 'Jane',
  last_name: 'Doe',
  emails: [
    { value: 'old@acme.example', primary: true, label: 'work' },
    { value: 'j@home.example', primary: false, label: 'home' },
  ],
  phones: [],
};

describe('upsertRecords', () => {
  it('keeps the non-primary emails when it sets the primary one (PATCH replaces the array)', async () => {
    const { connector, budget } = pipedrive();
    fieldsOnce();
    nock(DOMAIN).get(`${V2}/persons/3`).reply(200, ok(current));
    let sent: Record<string, unknown> = {};
    nock(DOMAIN)
      .patch(`${V2}/persons/3`, (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(200, ok({ id: 3 }));
    const [result] = await connector.upsertRecords('contact', [
      {
        ref: 'op-1',
        remoteId: '3',
        fields: { email: 'new@acme.example', last_name: 'Smith', customer_tier: 'Silver' },
      },
    ]);
    expect(result).toMatchObject({ ref: 'op-1', ok: true, remoteId: '3', created: false });
    expect(sent).toEqual({
      emails: [
        { value: 'new@acme.example', primary: true, label: 'work' },
        { value: 'j@home.example', primary: false, label: 'home' },
      ],
      name: 'Jane Smith',
      custom_fields: { [KEY.tier]: 12 },
    });
    expect(budget.endpoints).toEqual(expect.arrayContaining(['v2.get', 'v2.update']));
  });

  it('creates a deal with value as a number and status open/won/lost', async () => {
    const { connector } = pipedrive();
    fieldsOnce('dealFields');
    let sent: Record<string, unknown> = {};
    nock(DOMAIN)
      .post(`${V2}/deals`, (body: Record<string, unknown>) => {
        sent = body;
        return true;
      })
      .reply(201, ok({ id: 44 }));
    const [result] = await connector.upsertRecords('deal', [
      {
        ref: 'op-2',
        fields: { title: 'Renewal', value: '1250.50', currency: 'EUR', status: 'won', stage_id: '3' },
      },
    ]);
    expect(result).toMatchObject({ ref: 'op-2', ok: true, remoteId: '44', created: true });
    expect(sent).toEqual({ title: 'Renewal', value: 1250.5, currency: 'EUR', status: 'won', stage_id: 3 });
  });

  it('upserts on the gateway key: a record the search finds is updated, not created again', async () => {
    const { connector, budget } = pipedrive();
    fieldsOnce();
    nock(DOMAIN)
      .get(`${V2}/persons/search`)
      .query({ term: 'op-3', fields: 'custom_fields', exact_match: 'true', limit: '100' })
      .reply(200, ok({ items: [{ result_score: 1, item: { id: 8 } }, { item: { id: 9 } }] }));
    // The exact search ignores case and looks in every custom field: the read keeps the true match.
    nock(DOMAIN)
      .get(`${V2}/persons`)
      .query({ ids: '8,9', limit: '100' })
      .reply(
        200,
        ok([
          { id: 8, custom_fields: { [KEY.gatewayKey]: 'OP-3' } },
          { id: 9, custom_fields: { [KEY.gatewayKey]: 'op-3' } },
        ]),
      );
    nock(DOMAIN)
      .patch(`${V2}/persons/9`, { name: 'Ann Lee', custom_fields: { [KEY.gatewayKey]: 'op-3' } })
      .reply(200, ok({ id: 9 }));
    const [result] = await connector.upsertRecords('contact', [
      {
        ref: 'op-3',
        externalId: { field: 'gateway_key', value: 'op-3' },
        fields: { first_name: 'Ann', last_name: 'Lee' },
      },
    ]);
    expect(result).toMatchObject({ ref: 'op-3', ok: true, remoteId: '9', created: false });
    expect(budget.named).toContainEqual(['search', 'daily']);
  });

  it('creates with the key set when the search finds nothing', async () => {
    const { connector } = pipedrive();
    fieldsOnce();
    nock(DOMAIN)
      .get(`${V2}/persons/search`)
      .query(true)
      .reply(200, ok({ items: [] }));
    nock(DOMAIN)
      .post(`${V2}/persons`, { name: 'Ann Lee', custom_fields: { [KEY.gatewayKey]: 'op-4' } })
      .reply(
        201,
        ok({
          id: 10,
          name: 'Ann Lee',
          first_name: 'Ann',
          last_name: 'Lee',
          emails: [{ value: 'ann@lee.example', primary: true, label: 'work' }],
          update_time: '2026-12-07T05:00:00Z',
          custom_fields: { [KEY.gatewayKey]: 'op-4' },
        }),
      );
    const [result] = await connector.upsertRecords('contact', [
      {
        ref: 'op-4',
        externalId: { field: 'gateway_key', value: 'op-4' },
        fields: { first_name: 'Ann', last_name: 'Lee' },
      },
    ]);
    expect(result).toMatchObject({ ref: 'op-4', ok: true, remoteId: '10', created: true });
    // The answer is the whole record, translated as a read translates it: the engine reads nothing back.
    expect(result).toMatchObject({
      record: {
        remoteId: '10',
        isDeleted: false,
        fields: { first_name: 'Ann', last_name: 'Lee', email: 'ann@lee.example', gateway_key: 'op-4' },
      },
    });
  });

  it('creates a first attempt of a gateway-keyed create without searching (nock fails any other call)', async () => {
    const { connector, budget } = pipedrive();
    fieldsOnce();
    nock(DOMAIN)
      .post(`${V2}/persons`, { name: 'Ann Lee', custom_fields: { [KEY.gatewayKey]: 'op-5' } })
      .reply(201, ok({ id: 11 }));
    const [result] = await connector.upsertRecords('contact', [
      {
        ref: 'op-5',
        externalId: { field: 'gateway_key', value: 'op-5' },
        firstAttempt: true,
        fields: { first_name: 'Ann', last_name: 'Lee' },
      },
    ]);
    expect(result).toMatchObject({ ref: 'op-5', ok: true, remoteId: '11', created: true });
    expect(budget.named.flat()).not.toContain('search');
    expect(nock.isDone()).toBe(true);
  });

  it('fails the record alone on a validation error, and refuses unknown fields and options before sending', async () => {
    const { connector } = pipedrive();
    fieldsOnce();
    nock(DOMAIN).patch(`${V2}/persons/3`).reply(400, {
      success: false,
      error: 'Invalid owner_id',
      error_info: 'Please check developers.pipedrive.com',
    });
    const results = await connector.upsertRecords('contact', [
      { ref: 'a', remoteId: '3', fields: { owner_id: 999 } },
    ]);
    expect(results[0]).toMatchObject({ ref: 'a', ok: false, error: { code: 'VALIDATION' } });
    expect(results[0].ok === false && results[0].error.message).toContain('Invalid owner_id');
    const [unknown] = await connector.upsertRecords('contact', [
      { ref: 'b', remoteId: '3', fields: { __proto__x: 1 } },
    ]);
    expect(unknown).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const [option] = await connector.upsertRecords('contact', [
      { ref: 'c', remoteId: '3', fields: { customer_tier: 'Platinum' } },
    ]);
    expect(option).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const [hostile] = await connector.upsertRecords('contact', [
      { ref: 'd', remoteId: '3/../../users', fields: { owner_id: 1 } },
    ]);
    expect(hostile).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('throws a rate limit so the engine reschedules the call instead of failing the record', async () => {
    const { connector } = pipedrive();
    fieldsOnce('dealFields');
    nock(DOMAIN)
      .post(`${V2}/deals`)
      .times(4)
      .reply(
        429,
        { success: false, error: 'Request over limit' },
        { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '2' },
      );
    await expect(
      connector.upsertRecords('deal', [{ ref: 'r', fields: { title: 'x' } }]),
    ).rejects.toMatchObject({
      code: 'RATE_LIMITED',
    });
  });
});

describe('monetary custom fields', () => {
  it('reads amount and currency apart, and writes them together (the deal currency by default)', async () => {
    const { connector } = pipedrive();
    fieldsOnce('dealFields');
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query(true)
      .reply(
        200,
        ok([
          {
            id: 5,
            title: 'x',
            currency: 'EUR',
            custom_fields: { [KEY.contract]: { value: 12.5, currency: 'USD' } },
          },
        ]),
      );
    const [deal] = await connector.getRecords('deal', ['5']);
    expect(deal?.fields).toMatchObject({ contract_value: 12.5, contract_value_currency: 'USD' });
    nock(DOMAIN)
      .patch(`${V2}/deals/5`, {
        currency: 'EUR',
        custom_fields: { [KEY.contract]: { value: 99.9, currency: 'EUR' } },
      })
      .reply(200, ok({ id: 5 }));
    nock(DOMAIN)
      .patch(`${V2}/deals/5`, { custom_fields: { [KEY.contract]: { value: 1, currency: 'SEK' } } })
      .reply(200, ok({ id: 5 }));
    const results = await connector.upsertRecords('deal', [
      { ref: 'a', remoteId: '5', fields: { currency: 'EUR', contract_value: '99.90' } },
    ]);
    expect(results).toMatchObject([{ ok: true }]);
    const again = await connector.upsertRecords('deal', [
      { ref: 'b', remoteId: '5', fields: { contract_value: 1, contract_value_currency: 'SEK' } },
    ]);
    expect(again).toMatchObject([{ ok: true }]);
    // Without a currency to send, or a currency alone, Pipedrive is not asked.
    const [lonely] = await connector.upsertRecords('deal', [
      { ref: 'c', remoteId: '5', fields: { contract_value: 1 } },
    ]);
    expect(lonely).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
    const [currencyOnly] = await connector.upsertRecords('deal', [
      { ref: 'd', remoteId: '5', fields: { contract_value_currency: 'SEK' } },
    ]);
    expect(currencyOnly).toMatchObject({ ok: false, error: { code: 'VALIDATION' } });
  });
});

describe('deleteRecords', () => {
  it('deletes each record by its own call; one already gone counts as deleted', async () => {
    const { connector, budget } = pipedrive();
    nock(DOMAIN)
      .delete(`${V2}/deals/1`)
      .reply(200, ok({ id: 1 }));
    nock(DOMAIN).delete(`${V2}/deals/2`).reply(410, { success: false, error: 'Deal not found' });
    const results = await connector.deleteRecords('deal', ['1', '2']);
    expect(results).toEqual([
      { ref: '1', ok: true, remoteId: '1', created: false },
      { ref: '2', ok: true, remoteId: '2', created: false },
    ]);
    expect(budget.endpoints).toEqual(['v2.delete', 'v2.delete']);
  });
});

describe('links (deal.person_id)', () => {
  it('sets person_id after reading both records; an already-linked pair costs no write', async () => {
    const { connector } = pipedrive();
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: null }));
    nock(DOMAIN)
      .get(`${V2}/persons/2`)
      .reply(200, ok({ id: 2 }));
    nock(DOMAIN)
      .patch(`${V2}/deals/5`, { person_id: 2 })
      .reply(200, ok({ id: 5, person_id: 2 }));
    expect(await connector.linkRecords('contact', 'deal', [{ ref: 'l1', fromId: '2', toId: '5' }])).toEqual([
      { ref: 'l1', ok: true, remoteId: '2', created: false },
    ]);
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: 2 }));
    nock(DOMAIN)
      .get(`${V2}/persons/2`)
      .reply(200, ok({ id: 2 }));
    expect(
      await connector.linkRecords('deal', 'contact', [{ ref: 'l2', fromId: '5', toId: '2' }]),
    ).toMatchObject([{ ok: true }]);
  });

  it('fails a pair naming a missing record NOT_FOUND; unlinking a pair not linked is a success', async () => {
    const { connector } = pipedrive();
    nock(DOMAIN).get(`${V2}/deals/5`).reply(404, { success: false, error: 'Deal not found' });
    nock(DOMAIN)
      .get(`${V2}/persons/2`)
      .reply(200, ok({ id: 2 }));
    expect(
      await connector.linkRecords('deal', 'contact', [{ ref: 'x', fromId: '5', toId: '2' }]),
    ).toMatchObject([{ ok: false, error: { code: 'NOT_FOUND' } }]);
    nock(DOMAIN)
      .get(`${V2}/deals/5`)
      .reply(200, ok({ id: 5, person_id: 3 }));
    expect(
      await connector.unlinkRecords('deal', 'contact', [{ ref: 'y', fromId: '5', toId: '2' }]),
    ).toMatchObject([{ ok: true }]);
  });

  it('reads deal → person in one list of up to 100 deals', async () => {
    const { connector } = pipedrive();
    nock(DOMAIN)
      .get(`${V2}/deals`)
      .query({ ids: '5,6', limit: '100' })
      .reply(
        200,
        ok([
          { id: 5, person_id: 2 },
          { id: 6, person_id: null },
        ]),
      );
    const got = await connector.getAssociations('deal', ['5', '6', 'x'], 'contact');
    expect([...got.entries()]).toEqual([
      ['5', ['2']],
      ['6', []],
      ['x', []],
    ]);
  });
});
