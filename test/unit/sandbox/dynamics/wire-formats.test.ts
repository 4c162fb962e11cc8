import {
  checkNotExpired,
  decodeDeltaToken,
  encodeDeltaToken,
} from '../../../../src/sandbox/dynamics/change-tracking';
import { DvError } from '../../../../src/sandbox/dynamics/errors';
import { boundaryOf, parseHttpPart, parseMultipart } from '../../../../src/sandbox/dynamics/multipart';
import { decodeCookie, encodeCookie } from '../../../../src/sandbox/dynamics/paging';

describe('delta tokens', () => {
  it('read <version>!<MM/dd/yyyy HH:mm:ss> and round-trip to the second', () => {
    const at = Date.parse('2017-08-22T08:10:44.900Z');
    const token = encodeDeltaToken(919042, at);
    expect(token).toBe('919042!08/22/2017 08:10:44');
    expect(decodeDeltaToken(token)).toEqual({
      version: 919042,
      issuedAt: Date.parse('2017-08-22T08:10:44Z'),
    });
  });

  it('expire after the configured number of days', () => {
    const issued = Date.parse('2026-01-01T00:00:00Z');
    expect(() => checkNotExpired(issued, issued + 7 * 86_400_000, 7)).not.toThrow();
    expect(() => checkNotExpired(issued, issued + 7 * 86_400_000 + 1, 7)).toThrow(DvError);
  });
});

describe('paging cookies', () => {
  it('round-trip and refuse what the sandbox did not issue', () => {
    const cookie = { page: 2, after: ['smith', 'id-1'], pageSize: 50 };
    expect(decodeCookie(encodeCookie(cookie))).toEqual(cookie);
    expect(() => decodeCookie('<cookie pagingcookie="bm90IGpzb24" />')).toThrow(DvError);
    expect(() => decodeCookie('anything')).toThrow(DvError);
  });
});

describe('multipart', () => {
  it('finds the boundary, quoted or not', () => {
    expect(boundaryOf('multipart/mixed;boundary=batch_1')).toBe('batch_1');
    expect(boundaryOf('multipart/mixed; charset=utf-8; boundary="batch_2"')).toBe('batch_2');
    expect(boundaryOf('application/json')).toBeUndefined();
  });

  it('splits parts with CRLF or LF line ends and reads the HTTP request inside', () => {
    const body =
      '--b\nContent-Type: application/http\n\nPATCH contacts(1) HTTP/1.1\nIf-Match: *\n\n{"a":1}\n--b--\n';
    const [part] = parseMultipart(body, 'b');
    expect(part!.headers['content-type']).toBe('application/http');
    expect(parseHttpPart(part!.content)).toEqual({
      method: 'PATCH',
      url: 'contacts(1)',
      headers: { 'if-match': '*' },
      body: '{"a":1}',
    });
  });

  it('refuses a body without the closing delimiter or with a malformed header', () => {
    expect(() => parseMultipart('--b\r\nContent-Type: application/http\r\n\r\nGET x', 'b')).toThrow(DvError);
    expect(() => parseMultipart('--b\r\nno colon here\r\n\r\n\r\n--b--', 'b')).toThrow(DvError);
    expect(() => parseHttpPart('FETCH x HTTP/1.1')).toThrow(DvError);
  });
});
