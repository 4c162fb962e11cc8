// Webhooks v3 from the app (docs/vendors/hubspot.md "Webhooks"): store changes become subscription events, batched ≤ 100 per signed
// POST (signature v1 and v3), retried with an incrementing attemptNumber; plus the app's settings and
// subscriptions API (`/webhooks/v3/{appId}/…`, developer API key).
import crypto from 'node:crypto';
import { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { type WebhookRetryPolicy, type WebhookTransport } from '../core';
import { DEMO, SINGULAR, WEBHOOK } from './constants';
import { webhookHeaders } from './signature';
import {
  type HubSpotAppState,
  type HubSpotOrg,
  type HubSpotSandboxOptions,
  type HubSpotServer,
  type HubSpotWebhookEvent,
  type WebhookSubscription,
} from './state';
import { type ChangeEvent } from './store';

const EVENT_ID_BASE = 3_816_279_340;
const SANDBOX_USER_ID = 2620726;

/** Retry n waits 200 ms × 2^(n-1), at most 30 s: HubSpot's 24-hour spread compressed for tests. */
export function defaultRetryDelay(retry: number): number {
  return Math.min(30_000, 200 * 2 ** (retry - 1));
}

/** A portal's webhook retry rules (docs/vendors/hubspot.md "Webhooks"), before they become a dispatcher's policy. */
export interface RetryRules {
  /**
   * Timeouts, connection failures, 5xx and 429 are always retried; other 4xx per the current doc —
   * older docs said no retry on 400/401/403/404/405, so this is UNVERIFIED and a setting.
   */
  retry4xx: boolean;
  retries: number;
  retryDelay: (retry: number) => number;
}

/** The rules of a portal before any settings PATCH: the constructor options, else the doc's. */
export function defaultRetryRules(options: HubSpotSandboxOptions): RetryRules {
  return {
    retry4xx: options.webhookRetry4xx ?? true,
    retries: options.webhookRetries ?? WEBHOOK.maxRetries,
    retryDelay: options.webhookRetryDelayMs ?? defaultRetryDelay,
  };
}

export function retryPolicy(rules: RetryRules): Required<WebhookRetryPolicy> {
  return {
    retries: rules.retries,
    retryDelay: rules.retryDelay,
    shouldRetry: (status) =>
      status === 0 || status >= 500 || status === 429 || (status >= 400 && rules.retry4xx),
  };
}

/** A schedule as JSON can carry it: retry n waits `scheduleMs[n-1]`, the last entry repeating. */
export function scheduleDelay(scheduleMs: readonly number[]): (retry: number) => number {
  return (retry) => scheduleMs[Math.min(retry, scheduleMs.length) - 1] ?? 0;
}

export function webhookTransport(options: HubSpotSandboxOptions): WebhookTransport<HubSpotWebhookEvent> {
  return {
    maxBatch: WEBHOOK.maxEventsPerRequest,
    concurrency: WEBHOOK.maxConcurrentRequests,
    // Every portal's dispatcher gets its own retry policy from its settings (vendor applySettings);
    // these are the fallback.
    ...retryPolicy(defaultRetryRules(options)),
    timeoutMs: options.webhookTimeoutMs ?? WEBHOOK.timeoutMs,
    batchWindowMs: options.webhookBatchWindowMs ?? 50,
    build(events, target, now, attempt) {
      const body = JSON.stringify(events.map((e) => withAttempt(e, attempt)));
      return {
        headers: {
          ...webhookHeaders(target.secret ?? DEMO.clientSecret, target.url, body, now),
          'user-agent': WEBHOOK.userAgent,
          'x-hubspot-timeout-millis': String(options.webhookTimeoutMs ?? WEBHOOK.timeoutMs),
        },
        body,
      };
    },
  };
}

/** The documented field order, with `attemptNumber` after `subscriptionType`. */
function withAttempt(e: HubSpotWebhookEvent, attemptNumber: number): Record<string, unknown> {
  const { eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, ...rest } = e;
  return { eventId, subscriptionId, portalId, appId, occurredAt, subscriptionType, attemptNumber, ...rest };
}

/** Turns one store change into the events of every active subscription that matches it. */
export function eventsFor(
  app: HubSpotAppState,
  portalId: number,
  change: ChangeEvent,
): HubSpotWebhookEvent[] {
  const verb = change.kind;
  const subscriptionType = `${SINGULAR[change.type]}.${verb}`;
  const subs = app.subscriptions.filter(
    (s) =>
      s.active &&
      s.eventType === subscriptionType &&
      (verb !== 'propertyChange' ||
        (change.kind === 'propertyChange' && s.propertyName === change.propertyName)),
  );
  return subs.map((s) => {
    const n = (app.eventCounters.get(s.id) ?? 0) + 1;
    app.eventCounters.set(s.id, n);
    const event: HubSpotWebhookEvent = {
      eventId: EVENT_ID_BASE + n,
      subscriptionId: s.id,
      portalId,
      appId: DEMO.appId,
      occurredAt: change.occurredAt,
      subscriptionType,
      objectId: Number(change.objectId),
      changeSource: change.source,
      sourceId: change.source === 'API' ? String(DEMO.appId) : `userId:${SANDBOX_USER_ID}`,
    };
    if (change.kind === 'creation') event.changeFlag = 'NEW';
    if (change.kind === 'propertyChange') {
      event.propertyName = change.propertyName;
      event.propertyValue = change.propertyValue;
    }
    return event;
  });
}

/** Points an org's dispatcher at the app's target URL, signed with the app's client secret. */
export function applyTarget(org: HubSpotOrg, app: HubSpotAppState): void {
  if (!org.webhooks) return;
  org.webhooks.target = app.targetUrl ? { url: app.targetUrl, secret: DEMO.clientSecret } : null;
}

function hsError(reply: FastifyReply, code: number, message: string): FastifyReply {
  return reply
    .code(code)
    .send({ status: 'error', message, correlationId: crypto.randomUUID(), requestId: crypto.randomUUID() });
}

function renderSub(s: WebhookSubscription): Record<string, unknown> {
  return {
    id: String(s.id),
    eventType: s.eventType,
    ...(s.propertyName ? { propertyName: s.propertyName } : {}),
    active: s.active,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

const SUB_TYPE_RE =
  /^(contact|deal)\.(creation|deletion|propertyChange|restore|merge|associationChange|privacyDeletion)$/;

export function registerWebhookRoutes(
  app: FastifyInstance,
  server: HubSpotServer,
  appState: HubSpotAppState,
): void {
  // The settings and subscriptions calls authenticate with the developer API key (`hapikey`).
  const guard = (request: FastifyRequest, reply: FastifyReply): boolean => {
    const q = request.query as Record<string, string | undefined>;
    const { appId } = request.params as { appId: string };
    if (q.hapikey !== DEMO.developerApiKey) {
      hsError(
        reply.code(401),
        401,
        'The API key provided is invalid. View or manage your API key here: https://app.hubspot.com/l/api-key/',
      );
      return false;
    }
    if (appId !== String(DEMO.appId)) {
      hsError(reply, 404, `App ${appId} not found`);
      return false;
    }
    return true;
  };
  const base = '/webhooks/v3/:appId';
  const settings = (): Record<string, unknown> => ({
    targetUrl: appState.targetUrl,
    throttling: appState.throttling,
    createdAt: '2024-02-12T10:15:00.000Z',
  });

  app.get(`${base}/settings`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    if (!appState.targetUrl) return hsError(reply, 404, 'No settings found for this app');
    return settings();
  });
  app.put(`${base}/settings`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const body = (request.body ?? {}) as {
      targetUrl?: string;
      throttling?: { maxConcurrentRequests?: number; period?: 'SECONDLY' | 'ROLLING_MINUTE' };
    };
    if (!body.targetUrl || !/^https?:\/\//.test(body.targetUrl))
      return hsError(reply, 400, 'targetUrl must be an http(s) URL');
    appState.targetUrl = body.targetUrl;
    if (body.throttling) appState.throttling = { ...appState.throttling, ...body.throttling };
    for (const org of server.orgs.values()) applyTarget(org, appState);
    return settings();
  });
  app.delete(`${base}/settings`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    appState.targetUrl = null;
    for (const org of server.orgs.values()) applyTarget(org, appState);
    return reply.code(204).send();
  });

  app.get(`${base}/subscriptions`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    return { results: appState.subscriptions.map(renderSub) };
  });
  app.post(`${base}/subscriptions`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const body = (request.body ?? {}) as { eventType?: string; propertyName?: string; active?: boolean };
    if (!body.eventType || !SUB_TYPE_RE.test(body.eventType))
      return hsError(reply, 400, `Unsupported eventType ${String(body.eventType)}`);
    if (body.eventType.endsWith('.propertyChange') && !body.propertyName)
      return hsError(reply, 400, 'propertyName is required for propertyChange subscriptions');
    // The doc names the properties but not the error text: 400 in the subscriptions API's shape, wording UNVERIFIED.
    if (body.propertyName && WEBHOOK.unsubscribableProperties.includes(body.propertyName))
      return hsError(reply, 400, `Subscriptions to the property ${body.propertyName} are not allowed`);
    if (appState.subscriptions.length >= WEBHOOK.maxSubscriptions) {
      return hsError(
        reply,
        400,
        `Couldn't create another subscription. You've reached the maximum number allowed per application (${WEBHOOK.maxSubscriptions}).`,
      );
    }
    const at = new Date().toISOString();
    const sub: WebhookSubscription = {
      id: appState.nextSubscriptionId++,
      eventType: body.eventType,
      ...(body.propertyName ? { propertyName: body.propertyName } : {}),
      active: body.active ?? false,
      createdAt: at,
      updatedAt: at,
    };
    appState.subscriptions.push(sub);
    return reply.code(201).send(renderSub(sub));
  });
  const findSub = (request: FastifyRequest): WebhookSubscription | undefined =>
    appState.subscriptions.find((s) => String(s.id) === (request.params as { id: string }).id);
  app.get(`${base}/subscriptions/:id`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const sub = findSub(request);
    return sub ? renderSub(sub) : hsError(reply, 404, 'Subscription not found');
  });
  app.patch(`${base}/subscriptions/:id`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const sub = findSub(request);
    if (!sub) return hsError(reply, 404, 'Subscription not found');
    const body = (request.body ?? {}) as { active?: boolean };
    if (typeof body.active === 'boolean') sub.active = body.active;
    sub.updatedAt = new Date().toISOString();
    return renderSub(sub);
  });
  app.delete(`${base}/subscriptions/:id`, async (request, reply) => {
    if (!guard(request, reply)) return reply;
    const sub = findSub(request);
    if (!sub) return hsError(reply, 404, 'Subscription not found');
    appState.subscriptions = appState.subscriptions.filter((s) => s !== sub);
    return reply.code(204).send();
  });
}
