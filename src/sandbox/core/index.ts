/**
 * Sandbox framework: the part every vendor simulator shares. A vendor is a `VendorDefinition`
 * (its routes, seed, org resolution, fault rendering, record admin, bench request) in
 * `src/sandbox/<vendor>/`, plus one line in `src/sandbox/registry.ts`.
 *
 * Server
 *   const server = createSandboxServer(vendor, { orgs: [{ id: 'default', seed: 42, counts: { Contact: 50 } }] });
 *   const { baseUrl, close } = await server.listen();        // 127.0.0.1, port 0 by default
 *   server.org('default')  → SandboxOrg { id, seed, counts, clock, faults, log, webhooks, state }
 *   server.createOrg({ id, seed?, counts?, settings? }) / resetOrg(id, { seed?, counts? }) / dropOrg(id)
 *   server.patchSettings(id, patch) → merged raw settings, validated by vendor.applySettings
 *   server.injectInternal({ method, url, headers?, payload? }) → loopback sub-request that skips faults,
 *                            the org log and vendor usage counting (server.isInternal(request) is true)
 *   server.orgOf(request)  → org the core resolved (via vendor.resolveOrg) for a vendor request
 *   server.tokens          → TokenStore shared by the server's orgs (token → org lookup)
 *   server.unattributed    → RequestLog of vendor requests no org was resolved for
 *
 * Per org
 *   org.clock   now() = real time + offset; setOffset(ms), advance(ms)
 *   org.faults  current, patch(p), replace(c), clear(); knobs in `faultConfigSchema` (faults.ts)
 *   org.log     count('GET /route/:pattern'), count(predicate), total, snapshot(limit), clear();
 *               entries carry `injectedLatencyMs` when the latency knobs stalled the request
 *   org.webhooks (vendors with `webhooks` transport) target, retryPolicy, enqueue(event), idle(), cancel(),
 *                stats, deliveries(), scheduledRetries   (server close cancels queued and retrying deliveries)
 *
 * Admin API (plain JSON, never vendor-shaped), all under /__sandbox:
 *   GET    /orgs          POST /orgs {id, seed?, counts?, settings?}          DELETE /orgs/:org
 *   POST   /orgs/:org/reset {seed?, counts?}   fresh data, no faults, empty log, clock offset 0
 *   GET    /orgs/:org/credentials         demo client id/secret/tokens (vendor-shaped object)
 *   GET|PATCH /orgs/:org/settings        vendor settings (limits, unverified-behaviour switches); survive reset
 *   GET|PUT|PATCH|DELETE /orgs/:org/faults   PUT replaces, PATCH merges, DELETE clears
 *   GET    /orgs/:org/requests?limit=N    {total, counters: {"METHOD /route": n}, entries}   DELETE clears
 *   GET    /requests/unattributed
 *   GET    /orgs/:org/clock               PUT {offsetMs} | {advanceMs}
 *   POST   /orgs/:org/tokens/expire       every access token of the org expires now
 *   POST   /orgs/:org/tokens/revoke       every refresh token of the org is revoked
 *   GET|PUT|DELETE /orgs/:org/webhooks {url, secret?, settings?}; POST /orgs/:org/webhooks/flush
 *   POST   /orgs/:org/records/:object {fields}     create as a CRM user (201)
 *   GET|PATCH|DELETE /orgs/:org/records/:object/:id;  POST …/:id/restore
 *
 * Fault knobs (none by default): latencyMs, latencyJitterMs, errorRate + errorStatuses, rateLimitRate,
 * rateLimitStormMs, accessTokenTtlMs, revokeRefreshTokens, lostResponseRate, webhookDropRate,
 * webhookDuplicateRate, webhookReorder, indexLagMs. Latency, server errors and rate limits are applied by
 * the core before the vendor handler (rendered by `vendor.renderFault`); lost responses after a
 * successful write; token and index knobs are read by the vendor code (`org.faults.current`).
 *
 * Routes may set `config: { sandbox: { faults: false } }` to be exempt from injected faults.
 * Core parses application/x-www-form-urlencoded into an object and text/csv, text/plain into a string.
 */
export { createSandboxServer, SandboxServer } from './server';
export type {
  InternalRequest,
  InternalResponse,
  ListenOptions,
  ListeningSandbox,
  SandboxServerOptions,
} from './server';
export { SandboxOrg } from './org';
export { SandboxClock } from './clock';
export { FaultController, faultConfigSchema } from './faults';
export type { FaultConfig, FaultPatch, InjectedFault } from './faults';
export { RequestLog } from './request-log';
export type { RequestLogEntry, RequestLogSnapshot } from './request-log';
export { TokenStore } from './tokens';
export type { TokenCheck, TokenKind, TokenRecord, IssueOptions } from './tokens';
export { WebhookDispatcher } from './webhooks';
export type {
  WebhookTarget,
  WebhookTransport,
  WebhookDeliveryLog,
  WebhookRetryPolicy,
  WebhookStats,
} from './webhooks';
export { Prng } from './prng';
export {
  fakePerson,
  fakeCompany,
  timestampPlan,
  FIRST_NAMES,
  LAST_NAMES,
  COMPANY_WORDS,
  JOB_TITLES,
} from './fake-data';
export type { FakePerson, TimestampPlanOptions } from './fake-data';
export { ADMIN_PREFIX } from './admin';
export { SandboxAdminError } from './types';
export type {
  BenchProbe,
  OrgOptions,
  RecordAdmin,
  RouteSandboxConfig,
  SeedCounts,
  VendorDefinition,
} from './types';
