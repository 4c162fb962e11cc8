import { answerWithin } from '../runtime/answer-within';
import express, { type ErrorRequestHandler, type Request, type Response, Router } from 'express';
import { type WebhookDeliveries } from '../connectors/definition';
import { crmDefinition, isCrmKind } from '../connectors/registry';
import { type WebhookRequest } from '../connectors/types';
import { type ErrorCode, UnavailableError } from '../errors';
import { QUEUES } from '../queue/queues';
import { enqueueWebhookIngest } from '../queue/webhook-ingest.producer';
import { type AppContext } from '../runtime/context';
import { isStoreUnavailableError } from '../store/errors';
import {
  type DeliveryOutcome,
  receiveDelivery,
  type WebhookIntakeDeps,
} from '../sync/webhooks/receive-delivery';
import { SeenReceipts } from '../sync/webhooks/seen-receipts';
import { WebhookActivity } from '../sync/webhooks/webhook-activity';
import { webhookAckSeconds, webhookRejected } from '../sync/webhooks/webhook-metrics';

/**
 * Largest webhook body read: 4 MiB. Vendors batch at most 100 events per delivery (docs/vendors), each
 * well under 1 KiB, but an event carrying a long text value can be tens of KiB, so the cap leaves room
 * for 100 of those; anything larger is refused (413) before it is buffered whole.
 */
export const WEBHOOK_MAX_BODY_BYTES = 4 * 1024 * 1024;

function sendError(res: Response, status: number, code: ErrorCode, message: string): void {
  res.status(status).json({ error: { code, message } });
}

/** A header as one string (Node keeps repeated unknown headers as joined text, `set-cookie` as a list). */
function flatHeaders(req: Request): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(req.headers))
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  return out;
}

/** Rejects with UNAVAILABLE when `work` has not settled within `ms` (Bull waits for Redis for ever). */
function within<T>(ms: number, what: string, work: Promise<T>): Promise<T> {
  return answerWithin(work, ms, () => new UnavailableError(`${what} did not answer within ${ms} ms`));
}

/**
 * `POST /webhooks/:crm`: where vendors deliver webhooks. No API key (a vendor cannot send one): the
 * vendor's signature over the raw body is the authentication, checked before anything is stored
 * (src/sync/webhooks/receive-delivery.ts). Answers:
 * - 200 once every event is stored and its ingest enqueued (or dropped: no connection knows its account);
 * - 401 UNAUTHENTICATED for a bad, stale or missing signature; nothing stored;
 * - 400 for a body that is not a delivery, 413 for one over {@link WEBHOOK_MAX_BODY_BYTES} or
 *   `WEBHOOK_MAX_EVENTS` events; 404 for a CRM that is not registered or delivers no webhooks;
 * - 503 UNAVAILABLE when MongoDB or Redis cannot take the delivery now: the vendor delivers it again.
 */
export function webhookRouter(ctx: AppContext): Router {
  const router = Router();
  const queue = ctx.queues.get(QUEUES.sync);
  const timeoutMs = ctx.env.STORE_TIMEOUT_MS;
  const deps: WebhookIntakeDeps = {
    accounts: ctx.store.connectionAccounts,
    connections: ctx.store.connections,
    connectorFor: (connection) => ctx.crm.connectorFor(connection, 'background'),
    receipts: ctx.store.webhookReceipts,
    seen: new SeenReceipts(ctx.redis, ctx.redisPrefix, ctx.logger),
    activity: new WebhookActivity(ctx.redis, ctx.redisPrefix, ctx.logger),
    enqueue: (data) => within(timeoutMs, 'the sync queue (Redis)', enqueueWebhookIngest(queue, data)),
    logger: ctx.logger,
  };

  const deliveriesOf = (crm: string): WebhookDeliveries | undefined =>
    isCrmKind(crm) ? crmDefinition(crm).webhooks : undefined;

  router.post(
    // What vendors are configured with: `<PUBLIC_URL>/webhooks/<crm>` (one URL per vendor app).
    '/webhooks/:crm',
    // Before the body is read: an unknown CRM costs no buffering.
    (req, res, next) => {
      if (deliveriesOf(req.params.crm!)) return next();
      sendError(res, 404, 'NOT_FOUND', `no webhooks are received for ${JSON.stringify(req.params.crm)}`);
    },
    // Any content type: the signature covers the bytes as sent, so nothing may decode them first.
    express.raw({ type: () => true, limit: WEBHOOK_MAX_BODY_BYTES, inflate: false }),
    async (req, res) => {
      const crm = req.params.crm!;
      const started = process.hrtime.bigint();
      const receivedAt = new Date();
      const request: WebhookRequest = {
        method: req.method,
        // What the vendor signed: the public URL it was given, not the address the proxy handed us.
        url: `${ctx.env.publicUrl}${req.originalUrl}`,
        headers: flatHeaders(req),
        rawBody: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0),
        receivedAt,
      };
      let status: number;
      try {
        const outcome = await receiveDelivery(deps, crm, deliveriesOf(crm)!, request);
        status = answer(res, outcome);
      } catch (err) {
        if (isStoreUnavailableError(err) || err instanceof UnavailableError) {
          ctx.logger.warn(
            { err, crm },
            'webhook delivery refused with 503: a store cannot take it now; the vendor will redeliver',
          );
          status = 503;
          sendError(
            res,
            status,
            'UNAVAILABLE',
            'this server cannot store the delivery right now; deliver it again',
          );
        } else {
          ctx.logger.error({ err, crm }, 'webhook delivery failed');
          status = 500;
          sendError(
            res,
            status,
            'INTERNAL_SERVER_ERROR',
            'the delivery could not be taken; deliver it again',
          );
        }
      }
      webhookAckSeconds.observe(
        { crm, status: String(status) },
        Number(process.hrtime.bigint() - started) / 1e9,
      );
    },
  );
  router.use('/webhooks', bodyErrors);
  return router;
}

/** Sends the outcome; returns the status sent. */
function answer(res: Response, outcome: DeliveryOutcome): number {
  if (outcome.kind === 'accepted') {
    const { events, stored, duplicates, dropped } = outcome;
    res.status(200).json({ received: events, stored, duplicates, dropped });
    return 200;
  }
  switch (outcome.reason) {
    case 'invalid_signature':
      res.set('www-authenticate', 'Signature');
      sendError(
        res,
        401,
        'UNAUTHENTICATED',
        'the delivery is not signed by an app of a connection that reaches its account, or its timestamp is outside the allowed window',
      );
      return 401;
    case 'too_many_events':
      sendError(res, 413, 'BAD_USER_INPUT', 'the delivery carries more events than one delivery may');
      return 413;
    case 'not_a_delivery':
      sendError(
        res,
        400,
        'BAD_USER_INPUT',
        'expected a webhook delivery (a JSON array of events) as the request body',
      );
      return 400;
  }
}

/** express.raw's refusals (over the size cap, an encoded body) as a JSON answer, counted as rejections. */
const bodyErrors: ErrorRequestHandler = (err: unknown, req, res, next) => {
  const e = err as { type?: unknown; status?: unknown; message?: unknown } | null;
  if (typeof e?.type !== 'string' || typeof e.status !== 'number' || e.status < 400 || e.status >= 500) {
    next(err);
    return;
  }
  const crm = String((req.params as { crm?: string }).crm ?? req.path.split('/')[2] ?? '');
  if (isCrmKind(crm)) webhookRejected.inc({ crm, reason: e.status === 413 ? 'too_large' : 'not_a_delivery' });
  sendError(res, e.status, 'BAD_USER_INPUT', `the request body was refused: ${String(e.message)}`);
};
