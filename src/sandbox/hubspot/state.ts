// Types shared by the HubSpot sandbox's API areas: one org = one HubSpot portal (account). The app
// (client id/secret, app id, developer key, webhook settings) is one for the whole server: a single
// app installed in every portal, as a public HubSpot app is.
import crypto from 'node:crypto';
import { type SandboxOrg, type SandboxServer } from '../core';
import { DEMO, WEBHOOK } from './constants';
import { type LimitSettings, type PortalLimits } from './limits';
import { type PortalStore } from './store';

/** Behaviours the vendor docs leave open (docs/vendors/hubspot.md "Batch endpoints", "Webhooks"): one switch each, per portal, at run time. */
export interface HubSpotBehaviour {
  /**
   * A validation error in batch create/update/upsert fails the whole batch with 400 unless every input
   * carries an `objectWriteTraceId` (then errors come back per record in a 207) — the recommended
   * reading of docs/vendors/hubspot.md "Batch endpoints"; whether HubSpot answers 400 or 207 without trace ids is UNVERIFIED.
   * @defaultValue 'whole-batch'
   */
  batchValidation: 'whole-batch' | 'per-record';
  /** A list `limit` above 100: refuse with 400 (strict) or clamp to 100 — UNVERIFIED. @defaultValue 'reject' */
  listLimitOverflow: 'reject' | 'clamp';
}

export const DEFAULT_BEHAVIOUR: HubSpotBehaviour = {
  batchValidation: 'whole-batch',
  listLimitOverflow: 'reject',
};

export interface HubSpotOrgState {
  portalId: number;
  privateAppToken: string;
  store: PortalStore;
  limits: PortalLimits;
  behaviour: HubSpotBehaviour;
  /** ISO 4217 code `/account-info/v3/details` reports (setting `companyCurrency`). */
  companyCurrency: string;
}

/** One queued webhook event; `attemptNumber` is added per delivery attempt. */
export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  objectId: number;
  changeSource: string;
  changeFlag?: 'NEW';
  propertyName?: string;
  propertyValue?: string;
  sourceId?: string;
}

export interface WebhookSubscription {
  id: number;
  eventType: string;
  propertyName?: string;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** App-level state: webhook settings and subscriptions (per app, not per portal, at HubSpot). */
export interface HubSpotAppState {
  targetUrl: string | null;
  throttling: { period: 'SECONDLY' | 'ROLLING_MINUTE'; maxConcurrentRequests: number };
  subscriptions: WebhookSubscription[];
  nextSubscriptionId: number;
  /**
   * eventIds are counted per subscription, so two events of different subscriptions can carry the
   * same eventId — "eventId is not guaranteed unique" [V-DOC]; receivers must dedupe on more fields.
   */
  eventCounters: Map<number, number>;
}

export type HubSpotServer = SandboxServer<HubSpotOrgState, HubSpotWebhookEvent>;
export type HubSpotOrg = SandboxOrg<HubSpotOrgState, HubSpotWebhookEvent>;

export interface HubSpotSandboxOptions {
  /** Initial limit settings of every portal (tier, overrides, unverified figures). */
  limits?: Partial<LimitSettings>;
  /** Initial behaviour switches of every portal. */
  behaviour?: Partial<HubSpotBehaviour>;
  // The three webhook retry options below are each portal's starting point; the per-portal settings
  // `webhookRetry4xx`, `webhookRetries` and `webhookRetryScheduleMs` override them at run time.
  /**
   * Delay before webhook retry n (1-based), ms. HubSpot spreads 10 retries over 24 h with randomised
   * delays; the default compresses that to seconds so tests can watch it.
   * @defaultValue n => 200 × 2^(n-1), capped at 30 s
   */
  webhookRetryDelayMs?: (retry: number) => number;
  /**
   * Webhook deliveries answered 4xx are retried (current doc) or not (older docs: no retry on
   * 400/401/403/404/405) — UNVERIFIED. @defaultValue true
   */
  webhookRetry4xx?: boolean;
  /** @defaultValue 10, HubSpot's documented count */
  webhookRetries?: number;
  /** @defaultValue 5000, HubSpot's documented timeout */
  webhookTimeoutMs?: number;
  /** Events raised within this window share a delivery (≤ 100 each). @defaultValue 50 */
  webhookBatchWindowMs?: number;
}

/** Portal id of an org: the `default` org gets the demo id, others a stable number from their id. */
export function portalIdFor(orgId: string): number {
  if (orgId === 'default') return DEMO.portalId;
  const h = crypto.createHash('sha256').update(orgId).digest();
  return 10_000_000 + (h.readUInt32BE(0) % 89_999_999);
}

/** Private-app token of a portal; the demo portal's is {@link DEMO.privateAppToken}. */
export function privateAppTokenFor(portalId: number): string {
  if (portalId === DEMO.portalId) return DEMO.privateAppToken;
  const h = crypto.createHash('sha256').update(`pat:${portalId}`).digest('hex');
  return `pat-na1-${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Default subscriptions, active, so a target set through the admin API receives events at once. */
export function defaultAppState(): HubSpotAppState {
  const at = '2024-02-12T10:15:00.000Z';
  const subs: Omit<WebhookSubscription, 'id' | 'createdAt' | 'updatedAt' | 'active'>[] = [
    { eventType: 'contact.creation' },
    { eventType: 'contact.deletion' },
    { eventType: 'contact.restore' },
    ...[
      'email',
      'firstname',
      'lastname',
      'phone',
      'jobtitle',
      'company',
      'lifecyclestage',
      'crm_external_id',
    ].map((propertyName) => ({ eventType: 'contact.propertyChange', propertyName })),
    { eventType: 'deal.creation' },
    { eventType: 'deal.deletion' },
    { eventType: 'deal.restore' },
    ...['dealname', 'amount', 'dealstage', 'pipeline', 'closedate', 'deal_external_id'].map(
      (propertyName) => ({
        eventType: 'deal.propertyChange',
        propertyName,
      }),
    ),
  ];
  return {
    targetUrl: null,
    throttling: { period: 'SECONDLY', maxConcurrentRequests: WEBHOOK.maxConcurrentRequests },
    subscriptions: subs.map((s, i) => ({ ...s, id: 1000 + i, active: true, createdAt: at, updatedAt: at })),
    nextSubscriptionId: 1000 + subs.length,
    eventCounters: new Map(),
  };
}
