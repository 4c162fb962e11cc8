import { isJsonObject, webhookJson } from '../webhook-json';
import { type WebhookDeliveries, type WebhookEventRef } from '../definition';

/**
 * Pipedrive webhooks as the route sees them before it knows whose they are (docs/vendors/pipedrive.md "Connector: webhooks"): each delivery is one v2 event whose `meta.company_id` names the company, the
 * account `identify` stores. The dedupe key is entity, id, action and the event's millisecond
 * `meta.timestamp`: a retry (`meta.attempt` 2–4) repeats all four, and so does the same event sent to
 * a second webhook of the company, which must count once; two events differ in at least one.
 */

function text(value: unknown): string {
  return typeof value === 'string' || typeof value === 'number' ? String(value) : '';
}

export const pipedriveWebhookDeliveries: WebhookDeliveries = {
  eventsOf(rawBody: Buffer): WebhookEventRef[] | null {
    const body = webhookJson(rawBody);
    if (!isJsonObject(body) || !isJsonObject(body.meta)) return null;
    const { meta } = body;
    if (typeof meta.action !== 'string' || typeof meta.entity !== 'string') return null;
    const company = text(meta.company_id);
    return [
      {
        accountId: /^[1-9][0-9]*$/.test(company) ? company : null,
        dedupeKey: [meta.entity, meta.entity_id, meta.action, meta.timestamp].map(text).join(':'),
        rawBody,
      },
    ];
  },
};
