// Webhooks (docs/vendors/dynamics.md "Webhooks"): a `serviceendpoints` row (contract Webhook, with
// WebhookKey, HttpHeader or HttpQueryString auth) plus `sdkmessageprocessingsteps` rows (message,
// table, stage, mode, filtering attributes) registered through the Web API. Each matching change is
// POSTed as a serialized RemoteExecutionContext with the documented headers; only 502, 503 and 504
// get one more attempt. A target set through the admin API acts as one more endpoint subscribed to
// every Create, Update and Delete on the org's tables; its URL is used as given (put `?code=` in it).
import crypto from 'node:crypto';
import {
  WebhookDispatcher,
  type WebhookRetryPolicy,
  type WebhookTarget,
  type WebhookTransport,
} from '../core';
import { remoteExecutionContext, type StepInfo } from './remote-context';
import { environmentUrl, type DynamicsOrg, type DynamicsWebhookEvent } from './state';
import { isLookupValue, type DvRecord, type StoreChange } from './store';

/** Delivered bodies larger than this lose their parameters and images ("Webhooks"). */
const MESSAGE_SIZE_LIMIT = 256 * 1024;
/** Only these answers are retried, once ("Webhooks"). */
const RETRIED_STATUSES = new Set([502, 503, 504]);
const WEBHOOK_CONTRACT = 8;
const AUTH = { webhookKey: 4, httpHeader: 5, httpQueryString: 6 } as const;
/** The receiver has 60 seconds to answer ("Webhooks"). */
const DELIVERY_TIMEOUT_MS = 60_000;

/** `<settings><setting name="k" value="v" /></settings>`, the auth value of header/query auth. */
export function parseAuthSettings(xml: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of xml.matchAll(/<setting\s+name="([^"]*)"\s+value="([^"]*)"\s*\/>/g)) out[m[1]] = m[2];
  return out;
}

function withQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

/** Where and how an endpoint row delivers: its URL (with query auth) and extra headers. */
export function endpointTarget(endpoint: DvRecord): WebhookTarget | undefined {
  const url = endpoint.values.url;
  if (typeof url !== 'string' || endpoint.values.contract !== WEBHOOK_CONTRACT) return undefined;
  const auth = endpoint.values.authtype;
  const value = typeof endpoint.values.authvalue === 'string' ? endpoint.values.authvalue : '';
  try {
    if (auth === AUTH.webhookKey) return { url: withQuery(url, { code: value }) };
    if (auth === AUTH.httpQueryString) return { url: withQuery(url, parseAuthSettings(value)) };
    if (auth === AUTH.httpHeader) return { url, settings: { headers: parseAuthSettings(value) } };
    return { url };
  } catch {
    return undefined;
  }
}

export function webhookTransport(): WebhookTransport<DynamicsWebhookEvent> {
  return {
    maxBatch: 1,
    batchWindowMs: 10,
    retries: 1,
    timeoutMs: DELIVERY_TIMEOUT_MS,
    shouldRetry: (status) => RETRIED_STATUSES.has(status),
    build(events, target) {
      const event = events[0];
      let body = JSON.stringify(event.context);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-ms-dynamics-organization': event.organization,
        'x-ms-dynamics-entity-name': event.entityName,
        'x-ms-dynamics-request-name': event.messageName,
        'x-ms-correlation-request-id': event.correlationId,
        ...((target.settings?.headers as Record<string, string> | undefined) ?? {}),
      };
      if (Buffer.byteLength(body) > MESSAGE_SIZE_LIMIT) {
        const {
          ParentContext: _p,
          InputParameters: _i,
          PreEntityImages: _pre,
          PostEntityImages: _post,
          ...rest
        } = event.context;
        body = JSON.stringify(rest);
        headers['x-ms-dynamics-msg-size-exceeded'] = 'true';
      }
      return { headers, body };
    },
  };
}

/** The one retry waits the org's `webhookRetryDelayMs` (Dataverse does not say how long). */
export function retryPolicy(org: DynamicsOrg): WebhookRetryPolicy {
  return { retryDelay: () => org.state.settings.webhookRetryDelayMs };
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** Steps registered for this change whose endpoint is a webhook. */
function matchingSteps(org: DynamicsOrg, change: StoreChange): { step: StepInfo; endpoint: DvRecord }[] {
  const store = org.state.store;
  const out: { step: StepInfo; endpoint: DvRecord }[] = [];
  for (const row of store.table('sdkmessageprocessingstep').values()) {
    const v = row.values;
    if (String(v.messagename ?? '').toLowerCase() !== change.kind.toLowerCase()) continue;
    const table = typeof v.primaryobjecttypecode === 'string' ? v.primaryobjecttypecode : '';
    if (table !== '' && table !== change.entity.logicalName) continue;
    const filtering =
      typeof v.filteringattributes === 'string'
        ? v.filteringattributes
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [];
    if (
      change.kind === 'Update' &&
      filtering.length > 0 &&
      !filtering.some((a) => change.changed.includes(a))
    )
      continue;
    const handler = v.eventhandler;
    const endpoint = isLookupValue(handler) ? store.get('serviceendpoint', handler.id) : undefined;
    if (!endpoint) continue;
    out.push({
      step: {
        id: row.id,
        name: String(v.name ?? ''),
        stage: numberOr(v.stage, 40),
        mode: numberOr(v.mode, 1),
      },
      endpoint,
    });
  }
  return out;
}

function queueFor(
  org: DynamicsOrg,
  endpoint: DvRecord,
  target: WebhookTarget,
): WebhookDispatcher<DynamicsWebhookEvent> {
  const key = `${endpoint.id}:${target.url}:${JSON.stringify(target.settings ?? {})}`;
  let queue = org.state.endpointQueues.get(key);
  if (!queue) {
    queue = new WebhookDispatcher(webhookTransport(), org.faults, () => org.now());
    queue.target = target;
    queue.retryPolicy = retryPolicy(org);
    org.state.endpointQueues.set(key, queue);
  }
  return queue;
}

/** The store listener: one RemoteExecutionContext per matching step (and the admin target). */
export function raiseWebhooks(org: DynamicsOrg, change: StoreChange): void {
  if (change.entity.system) return;
  const correlationId = crypto.randomUUID();
  const event = (step: StepInfo): DynamicsWebhookEvent => ({
    context: remoteExecutionContext(org.state, change, step, correlationId),
    organization: new URL(environmentUrl(org.state)).host,
    entityName: change.entity.logicalName,
    messageName: change.kind,
    correlationId,
  });
  for (const { step, endpoint } of matchingSteps(org, change)) {
    const target = endpointTarget(endpoint);
    if (target) queueFor(org, endpoint, target).enqueue(event(step));
  }
  if (org.webhooks?.target) {
    org.webhooks.enqueue(
      event({ id: '00000000-0000-0000-0000-000000000000', name: 'sandbox admin target', stage: 40, mode: 1 }),
    );
  }
}

/** Waits for every endpoint queue of an org to drain (tests), or cancels them (server close). */
export async function settleEndpointQueues(org: DynamicsOrg, cancel: boolean): Promise<void> {
  await Promise.all([...org.state.endpointQueues.values()].map((q) => (cancel ? q.cancel() : q.idle())));
}
