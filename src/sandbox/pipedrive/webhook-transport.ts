// How one Pipedrive webhook event goes out (docs/vendors/pipedrive.md "Webhooks"): one event per POST,
// HTTP Basic credentials when the webhook has them, a 10-second timeout, every non-2xx retried, and
// the attempt number in the body (`meta.attempt` 1–4 in v2, `retry` 0–3 in v1).
import { type WebhookTransport } from '../core';
import { WEBHOOK } from './constants';
import { type PipedriveWebhookEvent } from './state';

export function webhookTransport(): WebhookTransport<PipedriveWebhookEvent> {
  return {
    maxBatch: 1,
    batchWindowMs: 10,
    retries: WEBHOOK.retryScheduleMs.length,
    timeoutMs: WEBHOOK.timeoutMs,
    // 3, 30 and 150 s: on the company clock, so a test advances the clock instead of waiting minutes.
    retriesOnOrgClock: true,
    build(events, target, _now, attempt) {
      const event = events[0] as PipedriveWebhookEvent;
      const payload = structuredClone(event.payload);
      if (event.version === '2.0') (payload.meta as Record<string, unknown>).attempt = attempt + 1;
      else payload.retry = attempt;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      const basic = target.settings?.basicAuth as { user: string; password: string } | undefined;
      if (basic)
        headers.authorization = `Basic ${Buffer.from(`${basic.user}:${basic.password}`).toString('base64')}`;
      return { headers, body: JSON.stringify(payload) };
    },
  };
}
