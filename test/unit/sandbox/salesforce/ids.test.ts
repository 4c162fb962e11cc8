import { checksumSuffix, idKey, makeId, to18 } from '../../../../src/sandbox/salesforce/ids';

describe('Salesforce ids', () => {
  it('computes the 18-character checksum suffix from the case of the 15-character id', () => {
    expect(checksumSuffix('001D000000IqhSL')).toBe('IAZ');
    expect(to18('001D000000IqhSL')).toBe('001D000000IqhSLIAZ');
  });

  it('issues 18-character ids with the key prefix, distinct per pod, and accepts 15-character input', () => {
    const id = makeId('003', 42, 'Ab');
    expect(id).toMatch(/^003Ab\w{13}$/);
    expect(id.slice(15)).toBe(checksumSuffix(id.slice(0, 15)));
    expect(makeId('003', 42, 'Cd')).not.toBe(id);
    expect(idKey(id.slice(0, 15))).toBe(id.slice(0, 15));
    expect(idKey('not-an-id')).toBeNull();
  });
});
