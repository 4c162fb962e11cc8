import { isJsonObject, webhookJson } from '../webhook-json';
import crypto from 'node:crypto';
import { type CrmObject, type NativeChange, type WebhookRequest } from '../types';
import { type HubSpotApi } from './api-context';
import { OBJECT_TYPE_ID, WEBHOOK_MAX_AGE_MS } from './hubspot.constants';
import { type HsWebhookEvent } from './wire.types';

/**
 * App webhooks v3 (docs/vendors/hubspot.md "Webhook signatures"): signature v3 verification and payload parsing. HubSpot signs
 * `method + uri + rawBody + timestamp` with HMAC-SHA256 keyed by the app's client secret (base64),
 * where `uri` is the full public URL it called with a fixed set of percent-escapes decoded.
 */

/** The escapes HubSpot decodes before signing (its "Validating requests" page). */
const DECODED_ESCAPES: Readonly<Record<string, string>> = {
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

export function signatureUri(url: string): string {
  return url.replace(
    /%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi,
    (m) => DECODED_ESCAPES[m.toUpperCase()] ?? m,
  );
}

/** The v3 signature of a request, base64. */
export function signV3(
  secret: string,
  method: string,
  url: string,
  rawBody: Buffer | string,
  timestamp: string,
): string {
  return crypto
    .createHmac('sha256', secret)
    .update(method.toUpperCase())
    .update(signatureUri(url))
    .update(rawBody)
    .update(timestamp)
    .digest('base64');
}

function header(req: WebhookRequest, name: string): string | undefined {
  const direct = req.headers[name];
  if (direct !== undefined) return direct;
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

export interface VerifyOptions {
  secret: string | undefined;
  /** The URL HubSpot was configured to call; defaults to `req.url`. */
  publicUrl?: string;
  maxAgeMs?: number;
}

/**
 * True only for a v3 signature that matches, on a request stamped within 5 minutes of its receipt (in
 * either direction: a timestamp from the future is as suspect as an old one). Fails closed without a
 * secret. The comparison is constant-time over the decoded digests.
 */
export function verifyV3(req: WebhookRequest, options: VerifyOptions): boolean {
  if (!options.secret) return false;
  const signature = header(req, 'x-hubspot-signature-v3');
  const timestamp = header(req, 'x-hubspot-request-timestamp');
  if (!signature || !timestamp || !/^\d{1,16}$/.test(timestamp)) return false;
  const age = req.receivedAt.getTime() - Number(timestamp);
  if (Math.abs(age) > (options.maxAgeMs ?? WEBHOOK_MAX_AGE_MS)) return false;
  const expected = Buffer.from(
    signV3(options.secret, req.method, options.publicUrl ?? req.url, req.rawBody, timestamp),
    'base64',
  );
  const given = Buffer.from(signature, 'base64');
  return given.length === expected.length && crypto.timingSafeEqual(given, expected);
}

/** The connector's `verifyWebhook`: keyed by the app's client secret, over the URL HubSpot was told to call. */
export function verifyWebhook(api: HubSpotApi, req: WebhookRequest): boolean {
  return verifyV3(req, { secret: api.settings.webhookClientSecret, publicUrl: api.settings.webhookUrl });
}

/**
 * The connector's `parseWebhook`: the changes of this connection's portal, each with its object (one
 * delivery mixes objects). HubSpot sends every installing portal's events to the app's one URL, so
 * events of other portals are skipped, and all of them while the portal is unknown.
 */
export function parseWebhook(api: HubSpotApi, req: WebhookRequest): NativeChange[] {
  const events = parseEvents(req.rawBody);
  if (api.portalId === null && events.length > 0) {
    api.logger.warn(
      { events: events.length },
      'HubSpot webhook events dropped: the connection does not know its portal id, so none of them can be told to be its own (reconnect it to learn the portal)',
    );
  }
  return toChanges(events, api.portalId);
}

/** The events of a delivery; anything that is not a JSON array of objects yields none. */
export function parseEvents(rawBody: Buffer): HsWebhookEvent[] {
  const parsed = webhookJson(rawBody);
  if (!Array.isArray(parsed)) return [];
  return parsed.filter((e): e is HsWebhookEvent => isJsonObject(e));
}

/**
 * Portal ids named in a delivery. HubSpot sends every installing portal's events to the app's one
 * target URL, so the ingest layer routes each event to the connection of its portal.
 */
export function portalIdsOf(rawBody: Buffer): string[] {
  return [
    ...new Set(
      parseEvents(rawBody)
        .map((e) => String(e.portalId ?? ''))
        .filter(Boolean),
    ),
  ];
}

/** `contact.propertyChange` → (contact, propertyChange); generic `object.*` events name `objectTypeId`. */
function classify(e: HsWebhookEvent): { obj: CrmObject; verb: string } | null {
  const type = e.subscriptionType ?? e.eventType ?? '';
  const dot = type.indexOf('.');
  if (dot < 0) return null;
  const prefix = type.slice(0, dot);
  const verb = type.slice(dot + 1);
  if (prefix === 'contact' || prefix === 'deal') return { obj: prefix, verb };
  if (prefix === 'object') {
    if (e.objectTypeId === OBJECT_TYPE_ID.contact) return { obj: 'contact', verb };
    if (e.objectTypeId === OBJECT_TYPE_ID.deal) return { obj: 'deal', verb };
  }
  return null;
}

/**
 * Events of `portalId` → native changes with their object. Merges delete the merged-away records and
 * update the survivor; association changes update the source record; events of other objects
 * (companies, tickets…) are dropped. An unknown portal (null) takes no events: one delivery can carry
 * any installing portal's, and accepting them would apply another customer's changes to this one.
 */
export function toChanges(events: readonly HsWebhookEvent[], portalId: string | null): NativeChange[] {
  if (portalId === null) return [];
  const out: NativeChange[] = [];
  for (const e of events) {
    if (String(e.portalId ?? '') !== portalId) continue;
    const kind = classify(e);
    if (!kind || e.objectId === undefined) continue;
    const occurredAt = new Date(Number(e.occurredAt ?? 0)).toISOString();
    const base = { occurredAt, ...(e.eventId !== undefined ? { eventId: String(e.eventId) } : {}) };
    const push = (
      remoteId: string | number,
      change: Omit<NativeChange, 'object' | 'remoteId' | 'occurredAt'>,
    ): void => {
      out.push({ object: kind.obj, remoteId: String(remoteId), ...base, ...change });
    };
    switch (kind.verb) {
      case 'creation':
        push(e.objectId, { kind: 'UPSERTED' });
        break;
      case 'propertyChange':
        push(e.objectId, {
          kind: 'UPSERTED',
          ...(e.propertyName ? { changedFields: [e.propertyName] } : {}),
        });
        break;
      case 'deletion':
        push(e.objectId, { kind: 'DELETED' });
        break;
      case 'privacyDeletion':
        // A GDPR deletion: permanent, and nothing of the record may be kept (docs/vendors/hubspot.md).
        push(e.objectId, { kind: 'DELETED', privacyErasure: true });
        break;
      case 'restore':
        push(e.objectId, { kind: 'RESTORED' });
        break;
      case 'merge': {
        const survivor = String(e.primaryObjectId ?? e.newObjectId ?? e.objectId);
        push(survivor, { kind: 'UPSERTED' });
        for (const id of e.mergedObjectIds ?? []) if (String(id) !== survivor) push(id, { kind: 'DELETED' });
        break;
      }
      case 'associationChange':
        push(e.fromObjectId ?? e.objectId, { kind: 'UPSERTED', changedFields: ['associations'] });
        break;
      default:
        break;
    }
  }
  return out;
}
