import { JSFORCE_API_VERSION } from '../../../../src/connectors/salesforce/auth';
import {
  isIdempotent,
  relativePath,
  JSFORCE_ORIGIN,
} from '../../../../src/connectors/salesforce/jsforce-transport';

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
