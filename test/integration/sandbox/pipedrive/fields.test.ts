import { createPipedriveSandbox, customFieldKey } from '../../../../src/sandbox/pipedrive';
import { caller, startPipedrive, V2, type Started } from './helpers';

interface V2Field {
  field_code: string;
  field_name: string;
  field_type: string;
  is_custom_field: boolean;
  options: { id: number; label: string }[] | null;
}

async function customFields(s: Started, object: 'person' | 'deal'): Promise<Record<string, V2Field>> {
  const res = await s.call('GET', `${V2}/${object}Fields?limit=500`);
  expect(res.status).toBe(200);
  const fields = (res.json.data as V2Field[]).filter((f) => f.is_custom_field);
  return Object.fromEntries(fields.map((f) => [f.field_name, f]));
}

describe('pipedrive sandbox: fields and custom values', () => {
  let s: Started;
  beforeAll(async () => {
    s = await startPipedrive({ persons: 10, deals: 10 }, { burstLimit: 100_000 });
  });
  afterAll(async () => {
    await s.live.close();
  });

  it('keys custom fields by 40-hex hashes that differ per company', async () => {
    const fields = await customFields(s, 'person');
    for (const f of Object.values(fields)) expect(f.field_code).toMatch(/^[0-9a-f]{40}$/);
    const other = createPipedriveSandbox({ orgs: [{ id: 'other-co', counts: { persons: 1, deals: 1 } }] });
    const live = await other.listen();
    try {
      const call = caller(live.baseUrl, other.org('other-co').state.apiToken);
      const res = await call('GET', `${V2}/personFields?limit=500`);
      const otherKeys = (res.json.data as V2Field[])
        .filter((f) => f.is_custom_field)
        .map((f) => f.field_code);
      expect(otherKeys).toHaveLength(Object.keys(fields).length);
      for (const key of otherKeys) expect(Object.values(fields).map((f) => f.field_code)).not.toContain(key);
      // The default org's token is nobody there.
      expect((await caller(live.baseUrl, s.token)('GET', `${V2}/persons`)).status).toBe(401);
    } finally {
      await live.close();
    }
    expect(fields.Tier?.field_code).toBe(customFieldKey(s.server.org().state.companyId, 'person', 'Tier'));
  });

  it('serves v1 personFields with offset paging and v2 dealFields by cursor', async () => {
    const first = await s.call('GET', '/v1/personFields?start=0&limit=5');
    expect(first.json.data).toHaveLength(5);
    expect(first.json.additional_data.pagination).toEqual({
      start: 0,
      limit: 5,
      more_items_in_collection: true,
      next_start: 5,
    });
    expect(first.json.data[0]).toMatchObject({ key: 'name', field_type: 'varchar', mandatory_flag: true });
    const rest = await s.call('GET', '/v1/personFields?start=5&limit=100');
    expect(rest.json.additional_data.pagination.more_items_in_collection).toBe(false);
    expect(rest.json.additional_data.pagination.next_start).toBeUndefined();
    const page = await s.call('GET', `${V2}/dealFields?limit=3`);
    expect(page.json.data).toHaveLength(3);
    const next = await s.call(
      'GET',
      `${V2}/dealFields?limit=100&cursor=${String(page.json.additional_data.next_cursor)}`,
    );
    expect(next.json.additional_data.next_cursor).toBeNull();
    const money = (next.json.data as V2Field[]).find((f) => f.field_type === 'monetary' && f.is_custom_field);
    expect(money).toMatchObject({ subfields: [{ field_code: 'currency' }] });
    const one = await s.call('GET', `${V2}/dealFields/${money?.field_code ?? ''}`);
    expect(one.json.data.field_name).toBe('Contract value');
    expect((await s.call('GET', `${V2}/dealFields/${'0'.repeat(40)}`)).status).toBe(404);
  });

  it('stores the documented value shapes: enum id, set of ids, monetary object, date', async () => {
    const pf = await customFields(s, 'person');
    const df = await customFields(s, 'deal');
    const tier = pf.Tier as V2Field;
    const interests = pf.Interests as V2Field;
    const gold = tier.options?.[0]?.id as number;
    const [hw, sw] = (interests.options ?? []).map((o) => o.id);
    const person = await s.call('POST', `${V2}/persons`, {
      body: {
        name: 'Shape Test',
        custom_fields: {
          [tier.field_code]: gold,
          [interests.field_code]: [hw, sw, hw],
          [pf.Birthday?.field_code ?? '']: '1990-05-17',
        },
      },
    });
    expect(person.status).toBe(201);
    expect(person.json.data.custom_fields).toMatchObject({
      [tier.field_code]: gold,
      [interests.field_code]: [hw, sw],
      [pf.Birthday?.field_code ?? '']: '1990-05-17',
    });
    const id = person.json.data.id as number;
    // custom_fields= narrows what comes back.
    const narrowed = await s.call('GET', `${V2}/persons/${id}?custom_fields=${tier.field_code}`);
    expect(Object.keys(narrowed.json.data.custom_fields)).toEqual([tier.field_code]);
    // A set clears with null; an empty array, an unknown option or a label is refused.
    for (const bad of [[], [999_999], ['Hardware']]) {
      const res = await s.call('PATCH', `${V2}/persons/${id}`, {
        body: { custom_fields: { [interests.field_code]: bad } },
      });
      expect(res.status).toBe(400);
      expect(res.json.error).toContain(interests.field_code);
    }
    const cleared = await s.call('PATCH', `${V2}/persons/${id}`, {
      body: { custom_fields: { [interests.field_code]: null } },
    });
    expect(cleared.json.data.custom_fields[interests.field_code]).toBeNull();
    expect(
      (
        await s.call('PATCH', `${V2}/persons/${id}`, {
          body: { custom_fields: { [tier.field_code]: 'Gold' } },
        })
      ).status,
    ).toBe(400);
    expect(
      (await s.call('PATCH', `${V2}/persons/${id}`, { body: { custom_fields: { ['f'.repeat(40)]: 1 } } }))
        .status,
    ).toBe(400);

    const money = df['Contract value'] as V2Field;
    const deal = await s.call('POST', `${V2}/deals`, {
      body: { title: 'Money', custom_fields: { [money.field_code]: { value: 1200.5, currency: 'EUR' } } },
    });
    expect(deal.json.data.custom_fields[money.field_code]).toEqual({ value: 1200.5, currency: 'EUR' });
    for (const bad of [1200, { value: 1 }, { value: '1', currency: 'EUR' }, { value: 1, currency: 'euro' }])
      expect(
        (
          await s.call('PATCH', `${V2}/deals/${deal.json.data.id as number}`, {
            body: { custom_fields: { [money.field_code]: bad } },
          })
        ).status,
      ).toBe(400);
    // v1 flattens: enum as an id string, monetary as <key> plus <key>_currency.
    const since = new Date(s.server.org().now() - 60_000).toISOString().slice(0, 19).replace('T', ' ');
    const recents = await s.call('GET', `/v1/recents?since_timestamp=${encodeURIComponent(since)}`);
    const v1Deal = (recents.json.data as { item: string; id: number; data: Record<string, unknown> }[]).find(
      (r) => r.item === 'deal' && r.id === deal.json.data.id,
    )?.data;
    expect(v1Deal).toMatchObject({
      [money.field_code]: 1200.5,
      [`${money.field_code}_currency`]: 'EUR',
      status: 'open',
      deleted: false,
    });
    const v1Person = (
      recents.json.data as { item: string; id: number; data: Record<string, unknown> }[]
    ).find((r) => r.item === 'person' && r.id === id)?.data;
    expect(v1Person?.[tier.field_code]).toBe(String(gold));
  });
});
