/**
 * Zoho CRM sandbox: a local simulator of Zoho CRM's v8 API across its eight data centres, each a path
 * prefix on one origin — `{origin}/dc/<dc>/accounts` (OAuth), `{origin}/dc/<dc>/api` (the CRM API under
 * `/crm/v8`), `{origin}/dc/<dc>/content` — built on `src/sandbox/core`. Facts: docs/vendors/zoho.md.
 *
 *   const server = createZohoSandbox({ orgs: [{ id: 'default', counts: { Contacts: 50, Deals: 20 }, settings: { dc: 'eu' } }] });
 *   const { baseUrl, close } = await server.listen();
 *   // Authorization: `Zoho-oauthtoken ${server.org().state.demoToken}` on `${baseUrl}/dc/eu/api/crm/v8/...`
 *
 * Per-org settings (OrgOptions.settings or PATCH /__sandbox/orgs/:org/settings): see `settings.ts`
 * (`dc` defaults to `eu`). Record admin objects are `Contacts` and `Deals`.
 */
export { createZohoSandbox, zohoVendor } from './vendor';
export {
  changedAfter,
  contactRolesOf,
  createAt,
  deleteAt,
  deletedIds,
  fieldOfRecord,
  liveIds,
  recordOf,
  setContactRole,
  updateAt,
} from './admin';
export { DATA_CENTRES, DC_IDS, DEMO, EDITIONS } from './constants';
export type { DcId, ModuleName } from './constants';
export type { ZohoOrg, ZohoOrgState, ZohoServer } from './state';
