// HubSpot request signatures (docs/vendors/hubspot.md "Webhook signatures" "Signature validation"), keyed by the app's client secret.
import crypto from 'node:crypto';

/** Characters HubSpot decodes in the URI before signing v3 (the `?` starting the query stays). */
const V3_DECODE: Record<string, string> = {
  '%3A': ':',
  '%2F': '/',
  '%3F': '?',
  '%40': '@',
  '%21': '!',
  '%24': '$',
  '%27': "'",
  '%28': '(',
  '%29': ')',
  '%2A': '*',
  '%2C': ',',
  '%3B': ';',
};

export function normaliseV3Uri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (m) => V3_DECODE[m.toUpperCase()] ?? m);
}

/** v3: base64(HMAC-SHA256(secret, method + uri + body + timestamp)), timestamp in epoch ms. */
export function signatureV3(
  secret: string,
  method: string,
  uri: string,
  body: string,
  timestamp: number | string,
): string {
  return crypto
    .createHmac('sha256', secret)
    .update(`${method}${normaliseV3Uri(uri)}${body}${String(timestamp)}`, 'utf8')
    .digest('base64');
}

/** v1: hex(SHA-256(secret + body)). */
export function signatureV1(secret: string, body: string): string {
  return crypto.createHash('sha256').update(`${secret}${body}`, 'utf8').digest('hex');
}

/** v2: hex(SHA-256(secret + method + uri + body)). */
export function signatureV2(secret: string, method: string, uri: string, body: string): string {
  return crypto.createHash('sha256').update(`${secret}${method}${uri}${body}`, 'utf8').digest('hex');
}

/** The headers of one signed delivery, as real deliveries carry them (3P capture). */
export function webhookHeaders(
  secret: string,
  url: string,
  body: string,
  timestamp: number,
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-hubspot-signature': signatureV1(secret, body),
    'x-hubspot-signature-version': 'v1',
    'x-hubspot-signature-v3': signatureV3(secret, 'POST', url, body, timestamp),
    'x-hubspot-request-timestamp': String(timestamp),
  };
}
