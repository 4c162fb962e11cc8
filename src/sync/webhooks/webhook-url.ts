/**
 * The URL a CRM delivers webhooks to: PUBLIC_URL and the gateway's `/webhooks/:crm` route
 * (src/server/webhooks.ts). Built here once so the route and the channels the worker subscribes agree.
 */
export function webhookUrl(publicUrl: string, crm: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/${encodeURIComponent(crm)}`;
}
