import * as mapper from '../../../src/mapping/mapper';
import { type NativeRecord } from '../../../src/connectors/types';
import { LazyCanonicalRecord, toCanonicalRecord } from '../../../src/reads/canonical';
import { defaultMapping } from '../../../src/reads/mappings';

/**
 * The read path's records are mapped on first use (`LazyCanonicalRecord`): the values must be those
 * of the eager `toCanonicalRecord`, and a record whose mapped fields nobody reads must map nothing.
 */

const mapping = defaultMapping('salesforce', 'contact');
const native: NativeRecord = {
  remoteId: '003000000000001AAA',
  fields: {
    Id: '003000000000001AAA',
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Email: 'ada@example.com',
    CreatedDate: '2024-01-02T03:04:05.000+0000',
    LastModifiedDate: 'not a date',
  },
  updatedAt: '2024-02-03T04:05:06.000Z',
  isDeleted: true,
};

afterEach(() => jest.restoreAllMocks());

describe('LazyCanonicalRecord', () => {
  it('reads the same values as toCanonicalRecord, issues and dates included', () => {
    const eager = toCanonicalRecord('conn1', 'contact', mapping, native, {});
    const lazy = new LazyCanonicalRecord('conn1', 'contact', mapping, native, {});
    for (const key of Object.keys(eager) as (keyof typeof eager)[]) {
      expect([key, lazy[key]]).toEqual([key, eager[key]]);
    }
    // The bad LastModifiedDate is an issue on both, not a thrown error.
    expect(lazy.issues.length).toBeGreaterThan(0);
  });

  it('maps nothing until a mapped field is read, and maps once', () => {
    const spy = jest.spyOn(mapper, 'toCanonical');
    const lazy = new LazyCanonicalRecord('conn1', 'contact', mapping, native, {});
    expect([lazy.remoteId, lazy.connectionId, lazy.object, lazy.isDeleted]).toEqual([
      native.remoteId,
      'conn1',
      'contact',
      true,
    ]);
    expect(lazy.id).toBe(toCanonicalRecord('conn1', 'contact', mapping, native, {}).id);
    spy.mockClear();
    expect(lazy.fields.firstName).toBe('Ada');
    expect(lazy.customFields).toEqual({});
    void lazy.createdAt;
    void lazy.deletedAt;
    expect(spy).toHaveBeenCalledTimes(1);
  });
});
