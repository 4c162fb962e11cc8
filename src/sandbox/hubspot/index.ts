/**
 * HubSpot sandbox: a local simulator of HubSpot's CRM API (OAuth v1, objects v3, batch, search,
 * associations v4, properties, pipelines, limits, app webhooks v3), built on `src/sandbox/core`.
 *
 *   const server = createHubSpotSandbox({ orgs: [{ id: 'default', counts: { contacts: 50, deals: 20 } }] });
 *   const { baseUrl, close } = await server.listen();
 *   // Authorization: Bearer DEMO.privateAppToken   (portal DEMO.portalId, app DEMO.appId)
 *
 * Per-portal settings (OrgOptions.settings or PATCH /__sandbox/orgs/:org/settings, flat keys):
 *   tier ('starter' | 'professional' | 'enterprise'), burst, daily, oauthBurst, oauthDaily,
 *   searchPerSecond, legacySecondlyHeaders, timeZoneOffsetMinutes, retryAfterSeconds,
 *   batchValidation ('whole-batch' | 'per-record'), listLimitOverflow ('reject' | 'clamp'),
 *   companyCurrency (ISO 4217, reported by /account-info/v3/details; default USD).
 * Server-wide options (second argument of createHubSpotSandbox): webhook retries, retry schedule,
 * timeout, batch window, webhookRetry4xx, and initial limits/behaviour.
 * App-level vendor routes: /webhooks/v3/{appId}/settings and /subscriptions (?hapikey=DEMO.developerApiKey).
 * Record admin objects are `contacts` and `deals` (also `contact`, `0-1`, `deal`, `0-3`).
 */
export { createHubSpotSandbox, hubspotVendor } from './vendor';
export { DEMO } from './constants';
export { signatureV1, signatureV2, signatureV3 } from './signature';
export type { HubSpotOrgState, HubSpotSandboxOptions, HubSpotServer, HubSpotWebhookEvent } from './state';
