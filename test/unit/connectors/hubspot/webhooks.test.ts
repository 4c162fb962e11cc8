import crypto from 'node:crypto';
import { type WebhookRequest } from '../../../../src/connectors/types';
import {
  parseEvents,
  portalIdsOf,
  signatureUri,
  toChanges,
} from '../../../../src/connectors/hubspot/webhooks';
import { createLogger } from '../../../../src/logger';
import { hubspot } from './hs-context';

/**
 * Webhook signature v3 and payload parsing (docs/vendors/hubspot.md "Webhook signatures"). The known vector is the worked example of the vendor
 * notes; the test computes the expected signature itself from the documented algorithm
 * (HMAC-SHA256 over method + uri + body + timestamp, base64) and also checks it against the literal.
 */

const SECRET = 'my-client-secret';
const URL_SIGNED = 'https://example.com/webhooks/hubspot?app=1';
const BODY =
  '[{"eventId":100,"subscriptionId":25,"portalId":62515,"appId":54321,"occurredAt":1717000000000,"subscriptionType":"contact.propertyChange","attemptNumber":0,"objectId":123,"propertyName":"email","propertyValue":"a@b.com","changeSource":"CRM_UI"}]';
const TS = '1717000001000';
const DOC_SIGNATURE = '5SlfUzuy/sKDQf/hiyarqkItHPHOGXHVwk4Tdstnseo=';

function independentSignature(secret: string, method: string, uri: string, body: string, ts: string): string {
  return crypto.createHmac('sha256', secret).update(`${method}${uri}${body}${ts}`, 'utf8').digest('base64');
}

function request(
  over: Partial<WebhookRequest> & { signature?: string; timestamp?: string } = {},
): WebhookRequest {
  const timestamp = over.timestamp ?? TS;
  return {
    method: 'POST',
    url: URL_SIGNED,
    rawBody: Buffer.from(BODY),
    receivedAt: new Date(Number(TS) + 2000),
    ...over,
    headers: over.headers ?? {
      'X-HubSpot-Signature-v3': over.signature ?? DOC_SIGNATURE,
      'X-HubSpot-Request-Timestamp': timestamp,
      'content-type': 'application/json',
    },
  };
}

const { connector } = hubspot({ settings: { webhookClientSecret: SECRET } });

describe('verifyWebhook (signature v3)', () => {
  it('accepts the documented vector, whose signature the test recomputes from the algorithm', () => {
    expect(independentSignature(SECRET, 'POST', URL_SIGNED, BODY, TS)).toBe(DOC_SIGNATURE);
    expect(connector.verifyWebhook(request())).toBe(true);
  });

  it('refuses a changed body, method, URL, timestamp or secret', () => {
    expect(
      connector.verifyWebhook(request({ rawBody: Buffer.from(BODY.replace('a@b.com', 'x@b.com')) })),
    ).toBe(false);
    expect(connector.verifyWebhook(request({ method: 'PUT' }))).toBe(false);
    expect(connector.verifyWebhook(request({ url: 'https://example.com/webhooks/hubspot?app=2' }))).toBe(
      false,
    );
    expect(connector.verifyWebhook(request({ timestamp: '1717000001001' }))).toBe(false);
    const other = hubspot({ settings: { webhookClientSecret: 'another-secret' } }).connector;
    expect(other.verifyWebhook(request())).toBe(false);
  });

  it('refuses requests stamped more than 5 minutes from their receipt, either way, even when signed', () => {
    const old = String(Number(TS) - 5 * 60 * 1000 - 2001);
    const signedOld = independentSignature(SECRET, 'POST', URL_SIGNED, BODY, old);
    expect(connector.verifyWebhook(request({ timestamp: old, signature: signedOld }))).toBe(false);
    const recent = String(Number(TS) - 4 * 60 * 1000);
    const signedRecent = independentSignature(SECRET, 'POST', URL_SIGNED, BODY, recent);
    expect(connector.verifyWebhook(request({ timestamp: recent, signature: signedRecent }))).toBe(true);
    const future = String(Number(TS) + 6 * 60 * 1000);
    const signedFuture = independentSignature(SECRET, 'POST', URL_SIGNED, BODY, future);
    expect(connector.verifyWebhook(request({ timestamp: future, signature: signedFuture }))).toBe(false);
  });

  it('fails closed without a secret, without headers, or with a malformed signature', () => {
    expect(hubspot().connector.verifyWebhook(request())).toBe(false);
    expect(connector.verifyWebhook(request({ headers: {} }))).toBe(false);
    expect(connector.verifyWebhook(request({ signature: 'not base64 at all' }))).toBe(false);
    expect(connector.verifyWebhook(request({ signature: DOC_SIGNATURE.slice(0, 20) }))).toBe(false);
  });

  it('signs the public URL from configuration, not the one the proxy handed the gateway', () => {
    const configured = hubspot({
      settings: { webhookClientSecret: SECRET, webhookUrl: URL_SIGNED },
    }).connector;
    expect(configured.verifyWebhook(request({ url: 'http://10.0.0.7:4000/webhooks/hubspot?app=1' }))).toBe(
      true,
    );
  });

  it('decodes the escapes HubSpot decodes before signing, and only those', () => {
    expect(signatureUri('https://h.io/a%3Ab%2Fc?x=%40y%2C%3B%21%24%27%28%29%2A&q=%20%25')).toBe(
      "https://h.io/a:b/c?x=@y,;!$'()*&q=%20%25",
    );
    const uri = 'https://example.com/hook?email=a%40b.com';
    const signature = independentSignature(
      SECRET,
      'POST',
      'https://example.com/hook?email=a@b.com',
      BODY,
      TS,
    );
    expect(connector.verifyWebhook(request({ url: uri, signature }))).toBe(true);
  });
});

describe('parseWebhook', () => {
  const events = [
    {
      eventId: 1,
      subscriptionId: 25,
      portalId: 62515,
      appId: 54321,
      occurredAt: 1717000000000,
      subscriptionType: 'contact.propertyChange',
      attemptNumber: 0,
      objectId: 123,
      propertyName: 'email',
      propertyValue: 'a@b.com',
      changeSource: 'CRM_UI',
    },
    {
      eventId: 2,
      portalId: 62515,
      occurredAt: 1717000000001,
      subscriptionType: 'deal.creation',
      objectId: 9,
      changeFlag: 'NEW',
    },
    {
      eventId: 3,
      portalId: 62515,
      occurredAt: 1717000000002,
      subscriptionType: 'contact.deletion',
      objectId: 124,
    },
    {
      eventId: 4,
      portalId: 62515,
      occurredAt: 1717000000003,
      subscriptionType: 'contact.restore',
      objectId: 124,
    },
    {
      eventId: 5,
      portalId: 62515,
      occurredAt: 1717000000004,
      subscriptionType: 'contact.merge',
      objectId: 130,
      primaryObjectId: 130,
      mergedObjectIds: [130, 131],
    },
    {
      eventId: 6,
      portalId: 62515,
      occurredAt: 1717000000005,
      subscriptionType: 'object.propertyChange',
      objectTypeId: '0-3',
      objectId: 10,
      propertyName: 'amount',
    },
    {
      eventId: 7,
      portalId: 99999,
      occurredAt: 1717000000006,
      subscriptionType: 'contact.creation',
      objectId: 500,
    },
    {
      eventId: 8,
      portalId: 62515,
      occurredAt: 1717000000007,
      subscriptionType: 'company.creation',
      objectId: 600,
    },
    {
      eventId: 9,
      portalId: 62515,
      occurredAt: 1717000000008,
      subscriptionType: 'deal.associationChange',
      objectId: 9,
      fromObjectId: 9,
      toObjectId: 123,
      associationType: 'DEAL_TO_CONTACT',
    },
  ];
  const req: WebhookRequest = {
    method: 'POST',
    url: URL_SIGNED,
    headers: {},
    rawBody: Buffer.from(JSON.stringify(events)),
    receivedAt: new Date(),
  };

  it('turns v3 events of this portal into native changes with their object', () => {
    const parsed = connector.parseWebhook(req);
    expect(parsed.map((c) => [c.object, c.remoteId, c.kind, c.eventId])).toEqual([
      ['contact', '123', 'UPSERTED', '1'],
      ['deal', '9', 'UPSERTED', '2'],
      ['contact', '124', 'DELETED', '3'],
      ['contact', '124', 'RESTORED', '4'],
      ['contact', '130', 'UPSERTED', '5'],
      ['contact', '131', 'DELETED', '5'],
      ['deal', '10', 'UPSERTED', '6'],
      ['deal', '9', 'UPSERTED', '9'],
    ]);
    expect(parsed[0]).toEqual({
      object: 'contact',
      remoteId: '123',
      kind: 'UPSERTED',
      occurredAt: '2024-05-29T16:26:40.000Z',
      eventId: '1',
      changedFields: ['email'],
    });
  });

  it('marks a privacy deletion as an erasure, a plain deletion not', () => {
    const events = [
      {
        eventId: 1,
        portalId: 62515,
        occurredAt: 1717000000000,
        subscriptionType: 'contact.privacyDeletion',
        objectId: 7,
      },
      {
        eventId: 2,
        portalId: 62515,
        occurredAt: 1717000000000,
        subscriptionType: 'contact.deletion',
        objectId: 7,
      },
    ];
    expect(toChanges(events, '62515').map((c) => [c.remoteId, c.kind, c.privacyErasure ?? false])).toEqual([
      ['7', 'DELETED', true],
      ['7', 'DELETED', false],
    ]);
  });

  it('routes by portal id: the other portal’s event belongs to its own connection', () => {
    expect(portalIdsOf(req.rawBody).sort()).toEqual(['62515', '99999']);
    const other = hubspot({ portalId: '99999' }).connector;
    expect(other.parseWebhook(req).map((c) => c.remoteId)).toEqual(['500']);
  });

  it('takes no events while the portal is unknown, and says why', () => {
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', destination: { write: (l: string) => lines.push(l) } });
    const unknown = hubspot({ portalId: null, logger }).connector;
    expect(unknown.parseWebhook(req)).toEqual([]);
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 40, events: events.length, msg: expect.stringMatching(/portal id/) }),
    ]);
    expect(toChanges(parseEvents(req.rawBody), null)).toEqual([]);
  });

  it('yields nothing for a body that is not a JSON array', () => {
    expect(connector.parseWebhook({ ...req, rawBody: Buffer.from('{"not":"an array"}') })).toEqual([]);
    expect(connector.parseWebhook({ ...req, rawBody: Buffer.from('nope') })).toEqual([]);
  });
});
