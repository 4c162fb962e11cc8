import { BadUserInputError } from '../../../src/errors';
import { decodeRecordId, encodeRecordId } from '../../../src/reads/ids';

describe('record ids', () => {
  it('round-trip, even with colons in the remote id', () => {
    const ref = { object: 'deal' as const, connectionId: '65f0c0ffee', remoteId: 'a:b:c' };
    expect(decodeRecordId(encodeRecordId(ref), 'deal')).toEqual(ref);
  });

  it('reject a contact id where a deal id is expected, and garbage, showing what arrived', () => {
    const id = encodeRecordId({ object: 'contact', connectionId: 'c1', remoteId: 'r1' });
    expect(() => decodeRecordId(id, 'deal')).toThrow(
      `expected a deal id as returned by this API; got "${id}" (a contact id)`,
    );
    expect(() => decodeRecordId('!!', 'contact')).toThrow(BadUserInputError);
  });
});
