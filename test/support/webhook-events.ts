import { signV3 } from '../../src/connectors/hubspot/webhooks';

/**
 * HubSpot webhook deliveries as HubSpot sends them (docs/vendors/hubspot.md "Webhooks"), for the
 * webhook e2e test and bench/sync-webhooks.bench.ts.
 */

let seq = 0;

/** A contact property-change event of `portalId`, unique (event id, object) unless `over` says otherwise. */
export function hubspotWebhookEvent(
  portalId: number,
  over: Record<string, unknown> = {},
): Record<string, unknown> {
  seq += 1;
  return {
    eventId: 4_000_000 + seq,
    subscriptionId: 25,
    portalId,
    appId: 42,
    occurredAt: Date.now() - 1000,
    subscriptionType: 'contact.propertyChange',
    attemptNumber: 0,
    objectId: 10_000 + seq,
    propertyName: 'email',
    propertyValue: `p${seq}@example.com`,
    changeSource: 'CRM_UI',
    ...over,
  };
}

/** The headers of a delivery of `body` to `signedUrl`, signed (v3) with `secret` at `timestamp`. */
export function hubspotWebhookHeaders(
  body: string | Buffer,
  signedUrl: string,
  secret: string,
  timestamp = Date.now(),
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hubspot-signature-v3': signV3(secret, 'POST', signedUrl, body, String(timestamp)),
    'x-hubspot-request-timestamp': String(timestamp),
  };
}
