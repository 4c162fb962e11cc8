/**
 * Microsoft Dynamics 365 (Dataverse Web API) sandbox: a local simulator built on `src/sandbox/core`,
 * following docs/vendors/dynamics.md.
 *
 *   const server = createDynamicsSandbox({ orgs: [{ id: 'default', counts: { contact: 50 } }] });
 *   const { baseUrl, close } = await server.listen();
 *   // POST {baseUrl}/{tenantId}/oauth2/v2.0/token  grant_type=client_credentials
 *   //      scope=https://contoso.crm.dynamics.com/.default (or {baseUrl}/.default)
 *   // GET  {baseUrl}/api/data/v9.2/contacts   Authorization: Bearer <token>
 *
 * Areas: Entra ID tokens (entra.ts), rows (rows.ts), lists, paging and delta links (collection.ts),
 * $filter (odata-filter.ts), $batch (batch.ts), metadata (metadata.ts), close actions (actions.ts),
 * service protection limits (limits.ts), webhooks (webhooks.ts).
 *
 * Per-org settings (OrgOptions.settings or PATCH /__sandbox/orgs/:org/settings): see settings.ts —
 * requestsPerWindow, executionTimeMsPerWindow, concurrentRequests, limitWindowMs,
 * retryAfterGrowthSeconds, changeTrackingExpiryDays, accessTokenTtlSeconds, batchStopStatus,
 * closedOpportunitiesReadOnly, webhookRetryDelayMs.
 * Record admin objects: contacts, opportunities, accounts, connections (or their logical names); bodies are Web API
 * bodies (`parentcontactid@odata.bind` included), run as the org's interactive user.
 */
export { DEMO } from './constants';
export { createDynamicsSandbox, demoAccessToken, dynamicsVendor } from './vendor';
export { environmentUrl } from './state';
export type { DynamicsOrg, DynamicsOrgState, DynamicsServer, DynamicsWebhookEvent } from './state';
export type { DynamicsSettings } from './settings';
