/**
 * Pipedrive sandbox: a local simulator of Pipedrive's API (API token and OAuth 2.0 with `api_domain`,
 * v2 persons/deals/fields/pipelines/stages/search, v1 personFields/dealFields/recents/users/webhooks/
 * merge/deal participants, the daily token budget and burst limits, webhooks v2 and v1), built on
 * `src/sandbox/core`.
 *
 *   const server = createPipedriveSandbox({ orgs: [{ id: 'default', counts: { persons: 50, deals: 20 } }] });
 *   const { baseUrl, close } = await server.listen();
 *   // x-api-token: server.org().state.apiToken; company API host: `${baseUrl}/c/${state.companyDomain}`
 *
 * Per-company settings (OrgOptions.settings or PATCH /__sandbox/orgs/:org/settings): see `settings.ts`.
 * Record admin objects are `persons` and `deals`.
 */
export { createPipedriveSandbox, pipedriveVendor } from './vendor';
export { DEMO, TOKEN_COSTS, PLANS } from './constants';
export { customFieldKey } from './fields';
export type { PipedriveOrg, PipedriveOrgState, PipedriveServer, PipedriveWebhookEvent } from './state';
