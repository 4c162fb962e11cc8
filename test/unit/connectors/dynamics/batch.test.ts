import nock from '../../../support/nock';
import { batchBody, parseBatchResponse } from '../../../../src/connectors/dynamics/batch';
import { writeBody } from '../../../../src/connectors/dynamics/writes';
import { ENV, ID, RESPONSE_BOUNDARY, ROOT, answer, dynamics } from './dyn-context';

/** `$batch` as docs/vendors/dynamics.md "$batch" documents it. */

describe('$batch bodies', () => {
  it('write one application/http part per request with the OData headers and a JSON body', () => {
    const body = batchBody(
      [
        {
          method: 'PATCH',
          resource: `contacts(${ID.a})`,
          headers: { 'if-match': '*' },
          json: { lastname: 'x' },
        },
        { method: 'DELETE', resource: `contacts(${ID.b})` },
      ],
      'batch_b1',
    );
    expect(body).toBe(
      '--batch_b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n' +
        `PATCH /api/data/v9.2/contacts(${ID.a}) HTTP/1.1\r\naccept: application/json\r\nodata-maxversion: 4.0\r\n` +
        'odata-version: 4.0\r\ncontent-type: application/json\r\nif-match: *\r\n\r\n{"lastname":"x"}\r\n' +
        '--batch_b1\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n' +
        `DELETE /api/data/v9.2/contacts(${ID.b}) HTTP/1.1\r\naccept: application/json\r\nodata-maxversion: 4.0\r\n` +
        'odata-version: 4.0\r\n\r\n\r\n--batch_b1--\r\n',
    );
  });

  it('read each part’s status, headers and JSON body in order, change sets flattened', () => {
    const inner = 'changesetresponse_77';
    const text = answer([
      `HTTP/1.1 204 No Content\r\nOData-Version: 4.0\r\nOData-EntityId: ${ENV}${ROOT}/contacts(${ID.a})\r\n`,
      'HTTP/1.1 404 Not Found\r\nContent-Type: application/json; odata.metadata=minimal\r\n\r\n{"error":{"code":"0x80040217","message":"gone"}}',
    ]);
    const parts = parseBatchResponse(`multipart/mixed; boundary=${RESPONSE_BOUNDARY}`, text);
    expect(parts.map((p) => p.status)).toEqual([204, 404]);
    expect(parts[0].headers['odata-entityid']).toBe(`${ENV}${ROOT}/contacts(${ID.a})`);
    expect(parts[1].json).toEqual({ error: { code: '0x80040217', message: 'gone' } });
    const nested = `--${RESPONSE_BOUNDARY}\r\nContent-Type: multipart/mixed; boundary=${inner}\r\n\r\n--${inner}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\nHTTP/1.1 201 Created\r\n\r\n{"contactid":"${ID.b}"}\r\n--${inner}--\r\n--${RESPONSE_BOUNDARY}--\r\n`;
    expect(parseBatchResponse(`multipart/mixed; boundary=${RESPONSE_BOUNDARY}`, nested)).toEqual([
      { status: 201, headers: {}, text: `{"contactid":"${ID.b}"}`, json: { contactid: ID.b } },
    ]);
    expect(() => parseBatchResponse('application/json', '{}')).toThrow(/not multipart\/mixed/);
  });
});

describe('write bodies', () => {
  it('send choice values as integers, drop lookup paths, and turn Won/Lost into a close action', () => {
    expect(
      writeBody('deal', {
        salesstage: '2',
        statecode: '1',
        'transactioncurrencyid.isocurrencycode': 'EUR',
        name: 'n',
      }),
    ).toEqual({
      body: {
        salesstage: 2,
        'transactioncurrencyid@odata.bind': "/transactioncurrencies(isocurrencycode='EUR')",
        name: 'n',
      },
      close: '1',
    });
    expect(writeBody('deal', { statecode: '0' })).toEqual({ body: { statecode: 0 } });
    expect(writeBody('contact', { statecode: '1' })).toEqual({ body: { statecode: 1 } });
  });
});

describe('upsertRecords over nock', () => {
  it('sends one $batch with continue-on-error and maps each part to its record', async () => {
    const { connector } = dynamics();
    let sent = '';
    nock(ENV)
      .post(`${ROOT}/$batch`, (body: string) => {
        sent = body;
        return true;
      })
      .matchHeader('prefer', 'odata.continue-on-error')
      .matchHeader('content-type', /^multipart\/mixed; boundary=batch_/)
      .reply(
        200,
        answer([
          `HTTP/1.1 201 Created\r\nContent-Type: application/json\r\n\r\n{"contactid":"${ID.a}"}`,
          'HTTP/1.1 412 Precondition Failed\r\nContent-Type: application/json\r\n\r\n{"error":{"code":"0x80040237","message":"A record with matching key values already exists."}}',
        ]),
        { 'content-type': `multipart/mixed; boundary=${RESPONSE_BOUNDARY}` },
      );
    const results = await connector.upsertRecords('contact', [
      { ref: 'a', fields: { lastname: 'A' } },
      { ref: 'b', remoteId: ID.b, fields: { lastname: 'B' } },
      { ref: 'c', remoteId: 'not-a-guid', fields: {} },
    ]);
    expect(sent).toContain('POST /api/data/v9.2/contacts?$select=contactid HTTP/1.1');
    expect(sent).toContain(`PATCH /api/data/v9.2/contacts(${ID.b})?$select=contactid HTTP/1.1`);
    expect(sent).not.toContain('not-a-guid');
    expect(
      results.map((r) => (r.ok ? ['ok', r.remoteId, r.created] : [r.error.code, r.error.message])),
    ).toEqual([
      ['ok', ID.a, true],
      [
        'CONFLICT',
        'dynamics answered HTTP 412 0x80040237: A record with matching key values already exists.',
      ],
      ['NOT_FOUND', 'Dynamics 365 row ids are GUIDs, got "not-a-guid"'],
    ]);
  });
});
