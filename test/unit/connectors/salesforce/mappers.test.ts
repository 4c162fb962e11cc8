import { toNativeRecord } from '../../../../src/connectors/salesforce/mappers';

describe('toNativeRecord', () => {
  it('keeps a field named __proto__ as a field, at the top and nested, without touching prototypes', () => {
    // As JSON.parse hands it over: `__proto__` an own key, not the prototype.
    const wire = JSON.parse(
      '{"attributes":{"type":"Contact"},"Id":"003xx0000000001AAA","__proto__":{"polluted":1},' +
        '"Account":{"attributes":{"type":"Account"},"__proto__":{"polluted":2},"Name":"Acme"}}',
    ) as Parameters<typeof toNativeRecord>[0];
    const rec = toNativeRecord(wire);
    expect(Object.getPrototypeOf(rec.fields)).toBe(Object.prototype);
    expect(Object.prototype.hasOwnProperty.call(rec.fields, '__proto__')).toBe(true);
    expect(Object.getOwnPropertyDescriptor(rec.fields, '__proto__')?.value).toEqual({ polluted: 1 });
    const account = rec.fields.Account as Record<string, unknown>;
    expect(Object.getPrototypeOf(account)).toBe(Object.prototype);
    expect(Object.keys(account)).toEqual(['__proto__', 'Name']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('drops attributes at every level and keeps the fields as sent', () => {
    const rec = toNativeRecord({
      attributes: { type: 'Contact' },
      Id: '003xx0000000001AAA',
      IsDeleted: true,
      Account: { attributes: { type: 'Account' }, Name: 'Acme' },
      SystemModstamp: '2024-05-20T20:49:32.000+0000',
    });
    expect(rec).toEqual({
      remoteId: '003xx0000000001AAA',
      fields: {
        Id: '003xx0000000001AAA',
        IsDeleted: true,
        Account: { Name: 'Acme' },
        SystemModstamp: '2024-05-20T20:49:32.000+0000',
      },
      updatedAt: '2024-05-20T20:49:32.000+0000',
      isDeleted: true,
    });
  });
});
