import {
  normaliseV3Uri,
  signatureV1,
  signatureV2,
  signatureV3,
} from '../../../../src/sandbox/hubspot/signature';

// A worked example for docs/vendors/hubspot.md "Webhook signatures", computed independently
// of this code (HubSpot's Node client formula: HMAC-SHA256 over method + uri + body + timestamp).
const SECRET = 'my-client-secret';
const URI = 'https://example.com/webhooks/hubspot?app=1';
const BODY =
  '[{"eventId":100,"subscriptionId":25,"portalId":62515,"appId":54321,"occurredAt":1717000000000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"propertyName":"email","propertyValue":"a@b.com","changeSource":"CRM_UI"}]';

describe('HubSpot request signatures', () => {
  it('v3 matches the documented vector', () => {
    expect(signatureV3(SECRET, 'POST', URI, BODY, 1717000001000)).toBe(
      '5SlfUzuy/sKDQf/hiyarqkItHPHOGXHVwk4Tdstnseo=',
    );
  });

  it('v1 matches the documented vector', () => {
    expect(signatureV1(SECRET, BODY)).toBe(
      'bdfb39b4fdd5f39190c0f1ccec2fb344f87e6e1d3733e6bb45c4afaf5ee9da31',
    );
  });

  it('v3 changes with any signed part', () => {
    const base = signatureV3(SECRET, 'POST', URI, BODY, 1717000001000);
    expect(signatureV3(SECRET, 'POST', URI, BODY, 1717000001001)).not.toBe(base);
    expect(signatureV3(SECRET, 'PUT', URI, BODY, 1717000001000)).not.toBe(base);
    expect(signatureV3('other', 'POST', URI, BODY, 1717000001000)).not.toBe(base);
    expect(signatureV3(SECRET, 'POST', `${URI}&x=1`, BODY, 1717000001000)).not.toBe(base);
  });

  it('v3 decodes the documented URL-encoded characters before signing, and only those', () => {
    expect(normaliseV3Uri('https://h/p%3Aa%2Fb%3Fc%40d%21e%24f%27g%28h%29i%2Aj%2Ck%3Bl?q=%20')).toBe(
      "https://h/p:a/b?c@d!e$f'g(h)i*j,k;l?q=%20",
    );
    expect(signatureV3(SECRET, 'POST', 'https://h/a%3Ab', BODY, 1)).toBe(
      signatureV3(SECRET, 'POST', 'https://h/a:b', BODY, 1),
    );
  });

  it('v2 hashes secret + method + uri + body', () => {
    expect(signatureV2(SECRET, 'POST', URI, BODY)).toMatch(/^[0-9a-f]{64}$/);
    expect(signatureV2(SECRET, 'POST', URI, BODY)).not.toBe(signatureV1(SECRET, BODY));
  });
});
