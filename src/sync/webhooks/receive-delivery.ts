import { type WebhookDeliveries, type WebhookEventRef } from '../../connectors/definition';
import { type CrmConnector, type NativeChange, type WebhookRequest } from '../../connectors/types';
import { isAppError } from '../../errors';
import { type Logger } from '../../logger';
import { type WebhookIngestJobData } from '../../queue/webhook-ingest.producer';
import { type ConnectionAccountsRepository } from '../../store/repositories/connection-accounts.repo';
import { type ConnectionsRepository, type ConnectionView } from '../../store/repositories/connections.repo';
import {
  type NewWebhookReceipt,
  webhookReceiptId,
  type WebhookReceiptsRepository,
} from '../../store/repositories/webhook-receipts.repo';
import { type SeenReceipts } from './seen-receipts';
import { type WebhookActivity } from './webhook-activity';
import {
  type WebhookDrop,
  webhookDuplicatesDropped,
  webhookEventsDropped,
  webhookReceiptsStored,
  webhookRejected,
} from './webhook-metrics';

/**
 * Most events one delivery may carry: 10× the largest batch a registered vendor documents (100 per
 * request, docs/vendors), so a vendor raising its batch size still gets through, while a body of
 * 100,000 tiny events is refused before any work.
 */
export const WEBHOOK_MAX_EVENTS = 1_000;

export interface WebhookIntakeDeps {
  accounts: Pick<ConnectionAccountsRepository, 'connectionIdsOf'>;
  connections: Pick<ConnectionsRepository, 'getById'>;
  /** The connector of a stored connection (background priority: it makes no vendor call here). */
  connectorFor(connection: ConnectionView): Pick<CrmConnector, 'verifyWebhook' | 'parseWebhook'>;
  receipts: Pick<WebhookReceiptsRepository, 'insertMany'>;
  /** Receipt ids stored lately (Redis): redeliveries skip the store's slow duplicate path. Optional. */
  seen?: Pick<SeenReceipts, 'known' | 'remember'>;
  /** Per-connection last delivery and rejections, shown on `connection { sync { webhooks } }`. Optional. */
  activity?: Pick<WebhookActivity, 'received' | 'rejected'>;
  /** Enqueues one connection's ingest job; rejects (UNAVAILABLE) when the queue cannot take it in time. */
  enqueue(data: WebhookIngestJobData): Promise<void>;
  logger: Logger;
}

/** What a delivery came to; the HTTP layer maps each to a status. */
export type DeliveryOutcome =
  | {
      kind: 'accepted';
      /** Events in the delivery. */
      events: number;
      /** Receipts stored now (one per event and connection). */
      stored: number;
      /** Receipts that were already stored (redeliveries). */
      duplicates: number;
      /** Events that reached no connection. */
      dropped: number;
    }
  | { kind: 'rejected'; reason: 'invalid_signature' | 'not_a_delivery' | 'too_many_events' };

/** A connection the delivery verified for, with the connector that will parse its events. */
interface Verified {
  view: ConnectionView;
  connector: Pick<CrmConnector, 'parseWebhook'>;
}

/**
 * Takes one webhook delivery of `crm` (signature checked on the raw body before anything is stored):
 *
 * 1. splits it into events (the CRM's `webhooks` hook) and finds the connections of each event's
 *    account — every one of them: several tenants may connect one portal;
 * 2. verifies the delivery with each of those connections' connectors; only connections it verifies
 *    for get events (a vendor signing with its app's secret has an account connected through two apps
 *    get each app's deliveries on that app's connections only). None verifying → rejected, nothing stored;
 * 3. stores one receipt per (event, connection) — a redelivery collides on the receipt id and is
 *    counted, not stored — and enqueues one ingest job per connection with that connection's receipt
 *    ids (stored now or before: a job lost after an earlier attempt's insert is made good by the
 *    vendor's redelivery; ingest skips receipts already ingested).
 *
 * Events of an account no connection reaches are dropped and counted: answering 2xx stops the vendor
 * from retrying them for a day. A store or queue failure propagates, so the caller answers 5xx and the
 * vendor delivers again.
 */
export async function receiveDelivery(
  deps: WebhookIntakeDeps,
  crm: string,
  deliveries: WebhookDeliveries,
  req: WebhookRequest,
): Promise<DeliveryOutcome> {
  const events = deliveries.eventsOf(req.rawBody);
  if (events === null) return rejected(crm, 'not_a_delivery');
  if (events.length > WEBHOOK_MAX_EVENTS) return rejected(crm, 'too_many_events');

  const accountIds = [...new Set(events.map((e) => e.accountId).filter((a): a is string => a !== null))];
  const idsByAccount = await deps.accounts.connectionIdsOf(crm, accountIds);
  const candidates = await loadConnections(deps, [...new Set([...idsByAccount.values()].flat())]);
  const verified = new Map<string, Verified>();
  for (const view of candidates) {
    const connector = connectorOf(deps, view);
    if (connector?.verifyWebhook(req)) verified.set(view.id, { view, connector });
  }
  // Nothing to verify with (no connection knows any account named) is not a bad signature: the events
  // are dropped below and the vendor told 2xx, so it does not retry them for ever.
  if (candidates.length > 0 && verified.size === 0) {
    await deps.activity?.rejected(candidates.map((c) => c.id));
    return rejected(crm, 'invalid_signature');
  }
  await deps.activity?.received([...verified.keys()], req.receivedAt);

  const receipts: NewWebhookReceipt[] = [];
  const drops = new Map<WebhookDrop, number>();
  for (const event of events) {
    const targets = (event.accountId === null ? [] : (idsByAccount.get(event.accountId) ?? []))
      .map((id) => verified.get(id))
      .filter((v): v is Verified => v !== undefined);
    const made = receiptsOf(event, targets, req);
    receipts.push(...made);
    if (made.length === 0) {
      const reason = dropReason(event, targets);
      drops.set(reason, (drops.get(reason) ?? 0) + 1);
    }
  }
  let dropped = 0;
  for (const [reason, n] of drops) {
    webhookEventsDropped.inc({ crm, reason }, n);
    dropped += n;
  }

  const { inserted, duplicates } = await storeReceipts(deps, receipts);
  if (inserted.length > 0) webhookReceiptsStored.inc({ crm }, inserted.length);
  if (duplicates.length > 0) webhookDuplicatesDropped.inc({ crm }, duplicates.length);
  await Promise.all(
    [...jobsOf(receipts)].map(([connectionId, ids]) => deps.enqueue({ connectionId, receiptIds: ids })),
  );
  return {
    kind: 'accepted',
    events: events.length,
    stored: inserted.length,
    duplicates: duplicates.length,
    dropped,
  };
}

/**
 * Inserts each receipt once: not twice from one delivery (an event repeated in its batch), not at all
 * when `seen` knows it stored; then remembers every id now in the store. Those skipped count as
 * duplicates without a round trip, and the insert still refuses any the cache missed. Skipping matters
 * on FerretDB, which stores a batch with a collision one document at a time (seen-receipts.ts).
 */
async function storeReceipts(
  deps: WebhookIntakeDeps,
  receipts: readonly NewWebhookReceipt[],
): Promise<{ inserted: string[]; duplicates: string[] }> {
  const known = deps.seen ? await deps.seen.known(receipts.map((r) => r.id)) : new Set<string>();
  const fresh = new Map<string, NewWebhookReceipt>();
  const skipped: string[] = [];
  for (const r of receipts) {
    if (known.has(r.id) || fresh.has(r.id)) skipped.push(r.id);
    else fresh.set(r.id, r);
  }
  const outcome = await deps.receipts.insertMany([...fresh.values()]);
  await deps.seen?.remember([...outcome.inserted, ...outcome.duplicates]);
  return { inserted: outcome.inserted, duplicates: [...skipped, ...outcome.duplicates] };
}

function rejected(
  crm: string,
  reason: Extract<DeliveryOutcome, { kind: 'rejected' }>['reason'],
): DeliveryOutcome {
  webhookRejected.inc({ crm, reason });
  return { kind: 'rejected', reason };
}

/** The stored connections of `ids`; one deleted since the account index was read is skipped. */
async function loadConnections(deps: WebhookIntakeDeps, ids: readonly string[]): Promise<ConnectionView[]> {
  const views = await Promise.all(
    ids.map((id) =>
      deps.connections.getById(id).catch((err: unknown) => {
        if (isAppError(err) && err.code === 'NOT_FOUND') return null;
        throw err;
      }),
    ),
  );
  return views.filter((v): v is ConnectionView => v !== null);
}

/**
 * The connector of one candidate, or null when it cannot be built (settings it refuses, vendor URLs the
 * policy refuses now): that connection cannot verify, which leaves the others to.
 */
function connectorOf(
  deps: WebhookIntakeDeps,
  view: ConnectionView,
): Pick<CrmConnector, 'verifyWebhook' | 'parseWebhook'> | null {
  try {
    return deps.connectorFor(view);
  } catch (err) {
    deps.logger.warn(
      { err, connectionId: view.id, crm: view.crm },
      'webhook delivery: this connection cannot take part (its connector cannot be built); the others still can',
    );
    return null;
  }
}

/** One receipt per connection with changes for `event` (an event of an object we do not sync has none). */
function receiptsOf(
  event: WebhookEventRef,
  targets: readonly Verified[],
  req: WebhookRequest,
): NewWebhookReceipt[] {
  const out: NewWebhookReceipt[] = [];
  for (const { view, connector } of targets) {
    const changes: NativeChange[] = connector.parseWebhook({ ...req, rawBody: event.rawBody });
    if (changes.length === 0) continue;
    out.push({
      id: webhookReceiptId(view.id, event.dedupeKey),
      tenantId: view.tenantId,
      connectionId: view.id,
      crm: view.crm,
      changes,
      receivedAt: req.receivedAt,
    });
  }
  return out;
}

function dropReason(event: WebhookEventRef, targets: readonly Verified[]): WebhookDrop {
  if (event.accountId === null) return 'no_account';
  return targets.length === 0 ? 'unknown_account' : 'not_synced';
}

/** Receipt ids per connection, each once (a delivery may carry one event twice). */
function jobsOf(receipts: readonly NewWebhookReceipt[]): Map<string, string[]> {
  const jobs = new Map<string, Set<string>>();
  for (const r of receipts) {
    const ids = jobs.get(r.connectionId) ?? new Set<string>();
    ids.add(r.id);
    jobs.set(r.connectionId, ids);
  }
  return new Map([...jobs].map(([id, ids]) => [id, [...ids]]));
}
