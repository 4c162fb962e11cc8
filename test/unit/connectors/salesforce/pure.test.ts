import { salesforceHooks, JSFORCE_API_VERSION } from '../../../../src/connectors/salesforce/auth';
import { BULK_NULL, parseCsv, toCsv } from '../../../../src/connectors/salesforce/csv';
import {
  bulkRecordError,
  errorClassForStatusCode,
  recordError,
} from '../../../../src/connectors/salesforce/errors';
import {
  isIdempotent,
  relativePath,
  JSFORCE_ORIGIN,
} from '../../../../src/connectors/salesforce/jsforce-transport';
import { toNativeRecord } from '../../../../src/connectors/salesforce/mappers';
import { parseSalesforceSettings } from '../../../../src/connectors/salesforce/objects';
import { ConnectorSettingsError } from '../../../../src/connectors/settings-error';
import {
  parseSalesforceDateTime,
  soqlDateTime,
  soqlIdList,
  soqlString,
} from '../../../../src/connectors/salesforce/soql';
import {
  CrmConflictError,
  CrmNotFoundError,
  CrmUnavailableError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../../../src/errors';

describe('SOQL literals', () => {
  it('escapes quotes, backslashes and control characters so a value cannot end the literal', () => {
    expect(soqlString("O'Brien\\x\n")).toBe("'O\\'Brien\\\\x\\n'");
    expect(soqlIdList(['003xx0000000001AAA', '003xx0000000002AAA'])).toBe(
      "('003xx0000000001AAA','003xx0000000002AAA')",
    );
  });

  it('writes whole-second datetimes without a fraction and keeps one when there is one', () => {
    expect(soqlDateTime(new Date('2024-05-01T00:00:00.000Z'))).toBe('2024-05-01T00:00:00Z');
    expect(soqlDateTime(new Date('2024-05-01T00:00:00.250Z'))).toBe('2024-05-01T00:00:00.250Z');
  });

  it('reads Salesforce datetimes with their +0000 offset', () => {
    expect(parseSalesforceDateTime('2024-05-20T20:49:32.000+0000').toISOString()).toBe(
      '2024-05-20T20:49:32.000Z',
    );
    expect(parseSalesforceDateTime('2024-05-20T22:49:32.000+0200').toISOString()).toBe(
      '2024-05-20T20:49:32.000Z',
    );
    expect(() => parseSalesforceDateTime('yesterday')).toThrow(/not a Salesforce datetime: "yesterday"/);
  });
});

describe('the jsforce transport', () => {
  it('routes only the placeholder instance and relative paths', () => {
    expect(relativePath(`${JSFORCE_ORIGIN}/services/data/v62.0/query?q=x`)).toBe(
      '/services/data/v62.0/query?q=x',
    );
    expect(relativePath('/services/data/v62.0/sobjects')).toBe('/services/data/v62.0/sobjects');
    expect(() => relativePath('https://evil.example/services/data')).toThrow(
      /https:\/\/evil\.example.*not the connection's instance/,
    );
  });

  it('lets the shared layer resend everything but a create', () => {
    expect(isIdempotent('GET', '/services/data/v62.0/query?q=x')).toBe(true);
    expect(isIdempotent('PATCH', '/services/data/v62.0/composite/sobjects/Contact/Ext_Id__c')).toBe(true);
    expect(isIdempotent('DELETE', '/services/data/v62.0/composite/sobjects?ids=1')).toBe(true);
    expect(isIdempotent('POST', '/services/data/v62.0/composite/sobjects/Contact')).toBe(true);
    expect(isIdempotent('POST', '/services/data/v62.0/composite/sobjects')).toBe(false);
    expect(isIdempotent('POST', '/services/data/v62.0/sobjects/Contact/')).toBe(false);
  });

  it('speaks the pinned API version', () => {
    expect(JSFORCE_API_VERSION).toBe('62.0');
  });
});

describe('Salesforce hooks', () => {
  const res = (status: number, json: unknown) => ({ status, headers: {}, text: JSON.stringify(json), json });

  it('refreshes on a 401 except the ones a refresh cannot cure', () => {
    const isExpired = salesforceHooks.isSessionExpired!;
    expect(
      isExpired(res(401, [{ errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' }])),
    ).toBe(true);
    expect(
      isExpired(
        res(401, [
          { errorCode: 'INVALID_SESSION_ID', message: 'This session is not valid for use with the REST API' },
        ]),
      ),
    ).toBe(false);
    expect(isExpired(res(403, []))).toBe(false);
  });

  it('types a duplicate as CONFLICT whatever the status', () => {
    const err = salesforceHooks.parseError!(
      res(400, [{ errorCode: 'DUPLICATE_VALUE', message: 'duplicate value found' }]),
      { crm: 'salesforce' },
    );
    expect(err).toBeInstanceOf(CrmConflictError);
    expect(err.vendorCode).toBe('DUPLICATE_VALUE');
  });
});

describe('per-record errors', () => {
  it('maps status codes to error classes', () => {
    expect(errorClassForStatusCode('REQUIRED_FIELD_MISSING')).toBe(CrmValidationError);
    expect(errorClassForStatusCode('DUPLICATES_DETECTED')).toBe(CrmConflictError);
    expect(errorClassForStatusCode('ENTITY_IS_DELETED')).toBe(CrmNotFoundError);
    expect(errorClassForStatusCode('UNABLE_TO_LOCK_ROW')).toBe(CrmUnavailableError);
    expect(errorClassForStatusCode('ALL_OR_NONE_OPERATION_ROLLED_BACK')).toBe(CrmUnavailableError);
    expect(errorClassForStatusCode('SOMETHING_NEW')).toBe(CrmUpstreamError);
  });

  it('names every error and field in the message', () => {
    const err = recordError(
      [
        { statusCode: 'STRING_TOO_LONG', message: 'Title: data value too large', fields: ['Title'] },
        { statusCode: 'INVALID_EMAIL_ADDRESS', message: 'Email: invalid email address', fields: ['Email'] },
      ],
      'salesforce',
    );
    expect(err.message).toBe(
      'salesforce refused the record: STRING_TOO_LONG: Title: data value too large [Title]; INVALID_EMAIL_ADDRESS: Email: invalid email address [Email]',
    );
    expect(err.details).toEqual({ fields: ['Title', 'Email'] });
  });

  it('reads a Bulk sf__Error cell', () => {
    const err = bulkRecordError(
      'REQUIRED_FIELD_MISSING:Required fields are missing: [LastName]:LastName --',
      'salesforce',
    );
    expect(err).toMatchObject({
      code: 'VALIDATION',
      vendorCode: 'REQUIRED_FIELD_MISSING',
      details: { fields: ['LastName'] },
    });
    expect(err.message).toContain('Required fields are missing: [LastName]');
    expect(bulkRecordError('something odd', 'salesforce').code).toBe('UPSTREAM');
  });
});

describe('CSV for Bulk API 2.0', () => {
  it('round-trips commas, quotes, newlines and nulls', () => {
    const text = toCsv(
      ['A', 'B', 'C'],
      [
        { A: 'x,y', B: 'say "hi"', C: null },
        { A: 'two\nlines', B: 3, C: true },
      ],
    );
    expect(text).toBe(`A,B,C\n"x,y","say ""hi""",${BULK_NULL}\n"two\nlines",3,true\n`);
    expect(parseCsv(text)).toEqual([
      { A: 'x,y', B: 'say "hi"', C: BULK_NULL },
      { A: 'two\nlines', B: '3', C: 'true' },
    ]);
    expect(parseCsv('"a","b"\r\n"1","2"\r\n')).toEqual([{ a: '1', b: '2' }]);
  });

  it('refuses a nested value rather than writing garbage', () => {
    expect(() => toCsv(['A'], [{ A: { x: 1 } }])).toThrow(/cannot hold an object/);
  });
});

describe('records and settings', () => {
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

  it('does not select a field twice when the connection repeats a standard one', () => {
    const s = parseSalesforceSettings({ fields: { contact: ['email', 'Region__c'] } });
    expect(s.fields.contact.filter((f) => f.toLowerCase() === 'email')).toEqual(['Email']);
    expect(s.fields.contact).toContain('Region__c');
    expect(s.bulkThreshold).toBe(2000);
  });

  it('reads the fields the read path asks for besides the settings, once each', () => {
    const s = parseSalesforceSettings(
      { fields: { contact: ['Region__c'] } },
      { contact: ['Region__c', 'Tier__c'], deal: ['Score__c'] },
    );
    expect(s.fields.contact.filter((f) => f.endsWith('__c'))).toEqual(['Region__c', 'Tier__c']);
    expect(s.fields.deal).toContain('Score__c');
  });

  it('refuses settings of the wrong shape, naming the path, as a ConnectorSettingsError', () => {
    expect(() => parseSalesforceSettings({ bulkThreshold: -1 })).toThrow(ConnectorSettingsError);
    expect(() => parseSalesforceSettings({ bulkThreshold: -1 })).toThrow(
      /Salesforce connection settings: .*bulkThreshold/s,
    );
  });
});
