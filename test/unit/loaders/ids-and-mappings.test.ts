import { type NativeField } from '../../../src/connectors/types';
import { BadUserInputError } from '../../../src/errors';
import { decodeRecordId, encodeRecordId } from '../../../src/reads/ids';
import { validateAgainstDescribe } from '../../../src/reads/mappings';

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

describe('validateAgainstDescribe', () => {
  const described: NativeField[] = [
    { name: 'Email', label: 'Email', type: 'email', custom: false, required: false, readOnly: false },
    {
      name: 'StageName',
      label: 'Stage',
      type: 'picklist',
      custom: false,
      required: true,
      readOnly: false,
      picklistValues: [{ value: 'Prospecting', label: 'Prospecting' }],
    },
    {
      name: 'CreatedDate',
      label: 'Created',
      type: 'datetime',
      custom: false,
      required: false,
      readOnly: true,
    },
    {
      name: 'AccountId',
      label: 'Account',
      type: 'reference',
      custom: false,
      required: false,
      readOnly: false,
    },
  ];

  it('accepts fitting overrides and removals', () => {
    expect(() =>
      validateAgainstDescribe(
        'contact',
        [
          {
            canonical: 'title',
            native: 'Email',
            transform: { kind: 'string' },
            source: 'CRM',
            writable: true,
          },
          {
            canonical: 'companyName',
            native: 'Account.Name',
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
          { canonical: 'phone', remove: true },
        ],
        described,
      ),
    ).not.toThrow();
  });

  it('lists every problem at once, naming the field', () => {
    let error: unknown;
    try {
      validateAgainstDescribe(
        'deal',
        [
          {
            canonical: 'customFields.x',
            native: 'Nope__c',
            transform: { kind: 'string' },
            source: 'CRM',
            writable: false,
          },
          {
            canonical: 'amount',
            native: 'Email',
            transform: { kind: 'decimal', native: 'number' },
            source: 'APP',
            writable: true,
          },
          {
            canonical: 'stage',
            native: 'StageName',
            transform: { kind: 'picklist', values: { Prospecting: 'p', Imagined: 'i' }, unknown: 'null' },
            source: 'CRM',
            writable: true,
          },
          {
            canonical: 'createdAt',
            native: 'CreatedDate',
            transform: { kind: 'datetime', native: 'iso' },
            source: 'CRM',
            writable: true,
          },
        ],
        described,
      );
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(BadUserInputError);
    expect((error as BadUserInputError).details?.problems).toEqual([
      'overrides.0 (customFields.x): the CRM has no deal field "Nope__c"',
      'overrides.1 (amount): transform decimal cannot read Email of type email (expected integer or decimal or currency or percent or string)',
      'overrides.2 (stage): StageName has no picklist value "Imagined" (it has Prospecting)',
      'overrides.3 (createdAt): CreatedDate is read-only in the CRM, so the entry cannot be writable',
    ]);
  });
});
