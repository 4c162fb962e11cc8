import { DATA, forgetOrgMetadata, rejection, salesforce, sf, sfId } from './sf-context';
import {
  bulkRecordError,
  errorClassForStatusCode,
  recordError,
} from '../../../../src/connectors/salesforce/errors';
import {
  CrmConflictError,
  CrmNotFoundError,
  CrmUnavailableError,
  CrmUpstreamError,
  CrmValidationError,
} from '../../../../src/errors';

beforeEach(forgetOrgMetadata);

const SESSION_EXPIRED = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
const LIMIT_EXCEEDED = [{ errorCode: 'REQUEST_LIMIT_EXCEEDED', message: 'TotalRequests Limit exceeded.' }];

describe('Salesforce error shapes through jsforce and the shared layer', () => {
  it('INVALID_SESSION_ID: refreshes once through the token service and replays the call with the new token', async () => {
    const { connector, tokens } = salesforce();
    sf({ reqheaders: { authorization: 'Bearer tok-1' } })
      .get(`${DATA}/sobjects/Contact/describe`)
      .reply(401, SESSION_EXPIRED, { 'www-authenticate': 'Token' });
    sf({ reqheaders: { authorization: 'Bearer tok-2' } })
      .get(`${DATA}/sobjects/Contact/describe`)
      .reply(200, { name: 'Contact', fields: [] });
    await expect(connector.describeFields('contact')).resolves.toEqual([]);
    expect(tokens.refreshes).toEqual(['tok-1']);
  });

  it('INVALID_SESSION_ID after a refresh: AUTH_EXPIRED, without a second refresh', async () => {
    const { connector, tokens } = salesforce();
    sf().get(`${DATA}/sobjects/Contact/describe`).twice().reply(401, SESSION_EXPIRED);
    const err = await rejection(connector.describeFields('contact'));
    expect(err.code).toBe('AUTH_EXPIRED');
    expect(tokens.refreshes).toHaveLength(1);
  });

  it('a 401 a refresh cannot cure is not refreshed', async () => {
    const { connector, tokens } = salesforce();
    sf()
      .get(`${DATA}/sobjects/Contact/describe`)
      .reply(401, [
        { message: 'This session is not valid for use with the REST API', errorCode: 'INVALID_SESSION_ID' },
      ]);
    const err = await rejection(connector.describeFields('contact'));
    expect(err.code).toBe('AUTH_EXPIRED');
    expect(tokens.refreshes).toEqual([]);
  });

  it('403 REQUEST_LIMIT_EXCEEDED is an exhausted budget: RATE_LIMITED with the wait until the next probe, and the budget is put on the probe schedule', async () => {
    // A stated currency: no describe first, so the data call is the one refused.
    const { connector, budget } = salesforce({ priority: 'background', settings: { currency: 'USD' } });
    sf().post(`${DATA}/composite/sobjects/Opportunity`).reply(403, LIMIT_EXCEEDED);
    const err = await rejection(connector.getRecords('deal', [sfId('006', 1)]));
    expect(err.code).toBe('RATE_LIMITED');
    expect(err.retryAfterMs).toBeGreaterThan(0);
    // Salesforce says nothing about when the allocation comes back: no fixed lockout, a probe schedule.
    expect(budget.backedOff).toEqual([false]);
    expect(err.retryAfterMs).toBe(budget.backOffMs);
    expect(budget.exhaustedFor).toEqual([]);
  });

  it('every call hands Sforce-Limit-Info to the budget, which corrects the org budget from it', async () => {
    const { connector, budget } = salesforce();
    sf().get(`${DATA}/sobjects/Opportunity/describe`).reply(
      200,
      { name: 'Opportunity', fields: [] },
      {
        'sforce-limit-info': 'api-usage=14990/15000',
      },
    );
    await connector.describeFields('deal');
    expect(budget.observed.map((h) => h['sforce-limit-info'])).toEqual(['api-usage=14990/15000']);
  });

  it.each([
    ['MALFORMED_QUERY', "unexpected token: 'FROM'"],
    ['INVALID_QUERY_LOCATOR', 'QUERY_LOCATOR_EXPIRED: invalid query locator'],
    // (INVALID_FIELD is UPSTREAM too, once the connector has checked it is not a mapped field the org
    // dropped: refused-fields.test.ts.)
    ['INVALID_TYPE', "sObject type 'Contactz' is not supported."],
  ])(
    '400 %s refuses the request we built: UPSTREAM (never VALIDATION) with the vendor code, message and request id',
    async (code, message) => {
      const { connector } = salesforce();
      sf()
        .get(`${DATA}/query`)
        .query(true)
        .reply(400, [{ message, errorCode: code }], { 'x-request-id': 'req-42' });
      const err = await rejection(connector.listRecords('contact', { pageSize: 10 }));
      expect(err).toMatchObject({
        code: 'UPSTREAM',
        vendorCode: code,
        status: 400,
        vendorRequestId: 'req-42',
      });
      expect(err.message).toContain(message);
    },
  );

  it('a 400 that names a record value is still VALIDATION', async () => {
    const { connector } = salesforce();
    sf()
      .get(`${DATA}/query`)
      .query(true)
      .reply(400, [{ message: 'bad value for field', errorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' }]);
    const err = await rejection(connector.listRecords('contact', { pageSize: 10 }));
    expect(err).toMatchObject({ code: 'VALIDATION', vendorCode: 'FIELD_CUSTOM_VALIDATION_EXCEPTION' });
  });

  it('300 on an upsert whose external id matches several records is CONFLICT', async () => {
    const { connector } = salesforce();
    sf()
      .patch(`${DATA}/composite/sobjects/Contact/Ext_Id__c`)
      .reply(300, [
        `${DATA}/sobjects/Contact/${sfId('003', 1)}`,
        `${DATA}/sobjects/Contact/${sfId('003', 2)}`,
      ]);
    const err = await rejection(
      connector.upsertRecords('contact', [
        { ref: 'r', externalId: { field: 'Ext_Id__c', value: 'K' }, fields: {} },
      ]),
    );
    expect(err.code).toBe('CONFLICT');
  });

  it('an interactive read survives a 503 with Retry-After by waiting what it was told', async () => {
    const { connector, slept } = salesforce({ settings: { currency: 'USD' } });
    sf()
      .post(`${DATA}/composite/sobjects/Opportunity`)
      .reply(503, [{ errorCode: 'SERVER_UNAVAILABLE', message: 'busy' }], { 'retry-after': '2' })
      .post(`${DATA}/composite/sobjects/Opportunity`)
      .reply(200, [null]);
    await expect(connector.getRecords('deal', [sfId('006', 1)])).resolves.toEqual([null]);
    expect(slept).toEqual([2000]);
  });

  it('accepts no webhooks: Salesforce is synced by polling', () => {
    const { connector } = salesforce();
    const req = {
      method: 'POST',
      url: 'https://gateway.example/webhooks/conn-1',
      headers: {},
      rawBody: Buffer.from('<soapenv:Envelope/>'),
      receivedAt: new Date(),
    };
    expect(connector.verifyWebhook(req)).toBe(false);
    expect(connector.parseWebhook(req)).toEqual([]);
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
