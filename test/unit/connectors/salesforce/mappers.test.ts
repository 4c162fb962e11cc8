import { toNativeRecord } from '../../../../src/connectors/salesforce/mappers';

describe('toNativeRecord', () => {
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
