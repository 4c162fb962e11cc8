import { BadUserInputError, NotFoundError } from '../../../src/errors';
import { type FieldMappingOverride } from '../../../src/mapping/mapper';
import { encodeRecordId } from '../../../src/reads/ids';
import { type ConnectionView } from '../../../src/store/repositories/connections.repo';
import { type WriteOperation } from '../../../src/writes/write-operation.types';
import { type WriteItem } from '../../../src/writes/write-service.types';
import { validateWrites, type ValidationDeps } from '../../../src/writes/write-validation';

const C1 = 'a'.repeat(24);
const C2 = 'b'.repeat(24);
const FOREIGN = 'c'.repeat(24);

function connection(id: string, tenantId = 't1'): ConnectionView {
  return {
    id,
    tenantId,
    crm: 'hubspot',
    displayName: id,
    status: 'ACTIVE',
    statusReason: null,
    externalAccountId: null,
    vendorUrls: {},
    settings: {},
    createdAt: new Date(),
    updatedAt: new Date(),
  };
}

const externalIdOverride: FieldMappingOverride = {
  canonical: 'customFields.extId',
  native: 'ext_id',
  transform: { kind: 'string' },
  source: 'APP',
  writable: true,
};

function deps(ops: Partial<WriteOperation>[] = []): ValidationDeps {
  const all = [connection(C1), connection(C2), connection(FOREIGN, 't2')];
  return {
    connections: {
      findManyForTenant: async (tenantId, ids) =>
        all.filter((c) => c.tenantId === tenantId && ids.includes(c.id)),
    },
    mappings: {
      find: async (connectionId) =>
        connectionId === C1 ? { overrides: [externalIdOverride], version: 1, ignored: [] } : null,
    },
    operations: {
      findByIds: async (tenantId, ids) =>
        ids.map((id) => (ops.find((o) => o.id === id && o.tenantId === tenantId) as WriteOperation) ?? null),
    },
  };
}

const create = (fields: Record<string, unknown>, connectionId = C1): WriteItem =>
  ({ kind: 'CREATE', object: 'contact', connectionId, input: { fields, customFields: {} } }) as WriteItem;
const contactId = (remoteId: string, connectionId = C1) =>
  encodeRecordId({ object: 'contact', connectionId, remoteId });
const dealId = (remoteId: string, connectionId = C1) =>
  encodeRecordId({ object: 'deal', connectionId, remoteId });

async function problemsOf(items: unknown[], d = deps()): Promise<string[]> {
  const err = await validateWrites(d, 't1', items as WriteItem[]).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof BadUserInputError)) throw err;
  return (err as BadUserInputError).details!.problems as string[];
}

describe('validateWrites', () => {
  it('maps canonical input to native fields through the effective mapping', async () => {
    const [w] = await validateWrites(deps(), 't1', [create({ firstName: 'Ada', email: 'ada@example.com' })]);
    expect(w).toMatchObject({
      connectionId: C1,
      crm: 'hubspot',
      kind: 'CREATE',
      batchKind: 'UPSERT',
      recordKey: null,
      dependsOn: [],
      nativeFields: { firstname: 'Ada', email: 'ada@example.com' },
      input: { fields: { firstName: 'Ada', email: 'ada@example.com' }, customFields: {} },
    });
    expect(w!.inputHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('collects every problem of every item into one BAD_USER_INPUT, prefixed items[i]', async () => {
    const problems = await problemsOf([
      create({ firstName: 'ok' }),
      create({ createdAt: '2020-01-01T00:00:00.000Z' }),
      create({ nope: 1 }),
      { kind: 'UPDATE', object: 'contact', id: contactId('1'), input: { fields: {}, customFields: {} } },
      {
        kind: 'CREATE',
        object: 'contact',
        connectionId: C1,
        input: { fields: { 'customFields.lifecyclestage': 'x' } },
      },
      {
        kind: 'CREATE',
        object: 'contact',
        connectionId: C1,
        input: { fields: {}, customFields: { lifecyclestage: 'lead' } },
      },
    ]);
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^items\[1\]\.input\.createdAt: read-only/),
        expect.stringMatching(/^items\[2\]\.input\.nope: not a mapped field/),
        'items[3].input: no fields to write',
        expect.stringMatching(/^items\[5\]\.input\.customFields\.lifecyclestage: owned by the CRM/),
      ]),
    );
    expect(problems.some((p) => p.startsWith('items[0]'))).toBe(false);
  });

  it('refuses empty CREATE input, too many items, bad kinds and objects, unexpected fields', async () => {
    expect(
      await problemsOf([{ kind: 'CREATE', object: 'contact', connectionId: C1, input: { fields: {} } }]),
    ).toEqual(['items[0].input: no fields to write']);
    expect(await problemsOf([{ kind: 'CREATE', object: 'contact', connectionId: C1 }])).toEqual([
      expect.stringMatching(/^items\[0\]\.input: expected \{fields, customFields\}/),
    ]);
    expect(await problemsOf(Array.from({ length: 501 }, () => create({ firstName: 'x' })))).toEqual([
      'items: at most 500 writes per request, got 501',
    ]);
    expect(await problemsOf([])).toEqual(['items: expected at least one write']);
    const problems = await problemsOf([
      { kind: 'MERGE', object: 'contact' },
      { kind: 'CREATE', object: 'lead', connectionId: C1, input: { fields: { firstName: 'x' } } },
      { ...create({ firstName: 'x' }), id: contactId('1') },
      { kind: 'DELETE', object: 'contact', id: contactId('1'), input: { fields: { firstName: 'x' } } },
      { ...create({ firstName: 'x' }), sneaky: true },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^items\[0\]\.kind: expected one of/),
      expect.stringMatching(/^items\[1\]\.object: expected one of contact, deal/),
      'items[2].id: not taken by CREATE',
      'items[3].input: not taken by DELETE',
      'items[4].sneaky: not a field of a write',
    ]);
  });

  it('refuses hostile names and values: __proto__, huge strings, non-finite numbers, nested objects', async () => {
    const proto = JSON.parse(
      '{"kind":"CREATE","object":"contact","connectionId":"' +
        C1 +
        '","input":{"fields":{"__proto__":{"x":1},"firstName":"a"}}}',
    ) as unknown;
    const problems = await problemsOf([
      proto,
      create({ firstName: 'x'.repeat(131_073) }),
      create({ firstName: Number.POSITIVE_INFINITY }),
      create({ firstName: { nested: true } }),
      create({ ['x'.repeat(256)]: 'a' }),
    ]);
    expect(problems).toEqual([
      'items[0].input.fields: "__proto__" is not a field name',
      'items[1].input.fields.firstName: expected at most 131072 characters, got 131073',
      'items[2].input.fields.firstName: expected a finite number',
      expect.stringMatching(/^items\[3\]\.input\.fields\.firstName: expected a text, number/),
      expect.stringMatching(/^items\[4\]\.input\.fields: expected a field name of 1–255/),
    ]);
    expect(Object.getPrototypeOf({})).toBe(Object.prototype);
  });

  it('refuses ids that do not decode, of the wrong object, of another connection or tenant', async () => {
    const problems = await problemsOf([
      { kind: 'UPDATE', object: 'contact', id: 'not-an-id!', input: { fields: { firstName: 'x' } } },
      { kind: 'UPDATE', object: 'contact', id: dealId('9'), input: { fields: { firstName: 'x' } } },
      {
        kind: 'UPDATE',
        object: 'contact',
        connectionId: C2,
        id: contactId('9'),
        input: { fields: { firstName: 'x' } },
      },
      { kind: 'DELETE', object: 'contact', id: contactId('9', FOREIGN) },
      { kind: 'LINK', object: 'contact', id: contactId('1'), targetId: dealId('2', C2) },
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^items\[0\]\.id: expected a contact id/),
      expect.stringMatching(/^items\[1\]\.id: expected a contact id .*\(a deal id\)/),
      `items[2].id: names a record of another connection than "${C2}"`,
      'items[3].id: no contact with this id',
      `items[4].targetId: names a record of another connection than "${C1}"`,
    ]);
  });

  it('is NOT_FOUND for an explicit connection this tenant does not have', async () => {
    await expect(validateWrites(deps(), 't1', [create({ firstName: 'x' }, FOREIGN)])).rejects.toThrow(
      NotFoundError,
    );
    await expect(validateWrites(deps(), 't1', [create({ firstName: 'x' }, 'd'.repeat(24))])).rejects.toThrow(
      NotFoundError,
    );
  });

  it('keys an update of a record on rid:, and of a pending create on op: with dependsOn', async () => {
    const pending = {
      id: 'wop_' + '1'.repeat(32),
      tenantId: 't1',
      kind: 'CREATE',
      object: 'contact',
      connectionId: C1,
      status: 'QUEUED',
      remoteId: null,
    } as const;
    const done = { ...pending, id: 'wop_' + '2'.repeat(32), status: 'SUCCEEDED', remoteId: '77' } as const;
    const failed = { ...pending, id: 'wop_' + '3'.repeat(32), status: 'CANCELLED' } as const;
    const deal = { ...pending, id: 'wop_' + '4'.repeat(32), object: 'deal' } as const;
    const other = { ...pending, id: 'wop_' + '5'.repeat(32), tenantId: 't2' } as const;
    const d = deps([pending, done, failed, deal, other]);
    const upd = (id: string) =>
      ({
        kind: 'UPDATE',
        object: 'contact',
        id,
        input: { fields: { firstName: 'x' } },
      }) as unknown as WriteItem;
    const [a, b, c] = await validateWrites(d, 't1', [upd(pending.id), upd(done.id), upd(contactId('5'))]);
    expect(a).toMatchObject({
      recordKey: `op:${pending.id}`,
      remoteId: null,
      dependsOn: [pending.id],
      connectionId: C1,
    });
    expect(b).toMatchObject({ recordKey: 'rid:77', remoteId: '77', dependsOn: [] });
    expect(c).toMatchObject({ recordKey: 'rid:5', remoteId: '5', dependsOn: [] });
    expect(await problemsOf([upd(failed.id), upd(deal.id), upd(other.id), upd('wop_zz')], d)).toEqual([
      `items[0].id: "${failed.id}" ended CANCELLED and made no record`,
      `items[1].id: "${deal.id}" creates a deal, not a contact`,
      `items[2].id: no write operation "${other.id}"`,
      'items[3].id: no write operation "wop_zz"',
    ]);
    const [link] = await validateWrites(d, 't1', [
      { kind: 'LINK', object: 'contact', id: pending.id, targetId: dealId('8') },
    ]);
    expect(link).toMatchObject({
      target: { object: 'deal', remoteId: '8', recordKey: 'rid:8' },
      dependsOn: [pending.id],
    });
  });

  it('keys an upsert on the native external-id field; refuses one not mapped, not writable or CRM-owned', async () => {
    const upsert = (field: string, input?: Record<string, unknown>) =>
      ({
        kind: 'UPSERT',
        object: 'contact',
        connectionId: C1,
        externalId: { field, value: 'E-1' },
        input: input ?? { fields: { firstName: 'x' } },
      }) as unknown as WriteItem;
    const [w] = await validateWrites(deps(), 't1', [
      upsert('customFields.extId', { fields: { firstName: 'x' }, customFields: { extId: 'E-1' } }),
    ]);
    expect(w).toMatchObject({
      recordKey: 'ext:ext_id:E-1',
      externalId: { field: 'ext_id', value: 'E-1' },
      nativeFields: { firstname: 'x' },
    });
    expect(
      await problemsOf([
        upsert('customFields.nope'),
        upsert('createdAt'),
        upsert('customFields.lifecyclestage'),
        upsert('customFields.extId', { customFields: { extId: 'E-2' } }),
        { kind: 'UPSERT', object: 'contact', connectionId: C1, externalId: { field: 'email', value: '' } },
      ]),
    ).toEqual([
      'items[0].externalId.field: "customFields.nope" is not a mapped field of contact',
      expect.stringMatching(/^items\[1\]\.externalId\.field: "createdAt" is read-only/),
      'items[2].externalId.field: "customFields.lifecyclestage" is owned by the CRM (source of truth CRM)',
      'items[3].input: "customFields.extId" differs from externalId.value (the upsert key writes it)',
      'items[4].externalId.value: expected 1–255 characters, got ""',
    ]);
  });
});
