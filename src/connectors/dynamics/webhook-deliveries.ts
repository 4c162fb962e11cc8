import { isJsonObject, webhookJson } from '../webhook-json';
import { type WebhookDeliveries, type WebhookEventRef } from '../definition';

/**
 * Dataverse webhooks as the webhook route sees them before it knows whose they are
 * (docs/vendors/dynamics.md "Webhooks", "Webhook routing"): every delivery is one serialized
 * `RemoteExecutionContext`, which names its organization (`OrganizationId`, the id `identify` stores as
 * the connection's account).
 *
 * The dedupe key is `<OperationId>:<MessageName>:<PrimaryEntityId>`: the context is serialized once
 * and resent as it was on the one retry Dataverse makes, so a redelivery repeats all three; two steps
 * of one endpoint that fire for one operation (a Create and an Update step) differ in the message.
 */

function text(value: unknown): string {
  return typeof value === 'string' ? value.toLowerCase() : '';
}

export const dynamicsWebhookDeliveries: WebhookDeliveries = {
  eventsOf(rawBody: Buffer): WebhookEventRef[] | null {
    const context = webhookJson(rawBody);
    if (!isJsonObject(context)) return null;
    if (typeof context.MessageName !== 'string' || typeof context.PrimaryEntityName !== 'string') return null;
    const organization = text(context.OrganizationId);
    return [
      {
        accountId: organization === '' ? null : organization,
        dedupeKey: [context.OperationId, context.MessageName, context.PrimaryEntityId].map(text).join(':'),
        rawBody,
      },
    ];
  },
};
