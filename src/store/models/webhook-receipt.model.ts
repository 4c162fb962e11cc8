import { Schema, type Connection, type InferSchemaType, type Model } from 'mongoose';

/**
 * One webhook event as received for one connection, stored before the delivery is answered (so an
 * acknowledged event is never lost) and the unit of dedupe: `_id` is `<connectionId>:<dedupe key>`,
 * the key chosen by the vendor's definition (`WebhookDeliveries.eventsOf`, with the reason in its
 * docs/vendors file), so a redelivery collides on the primary key — the one
 * unique check FerretDB 1.x makes atomically — and a distinct event never does. Events of one portal
 * that several connections share get one receipt per connection.
 *
 * No secret, no raw body: only what ingest needs (the parsed changes). The changes are kept as JSON
 * text: a native record may carry field names with `.` or `$`, which FerretDB refuses as keys.
 */
const webhookReceiptSchema = new Schema(
  {
    _id: { type: String, required: true },
    tenantId: { type: String, required: true },
    connectionId: { type: String, required: true },
    crm: { type: String, required: true },
    /** `NativeChange[]` of this event for this connection, as JSON (a merge is several changes). */
    changes: { type: String, required: true },
    receivedAt: { type: Date, required: true },
    /** Set once ingest has taken the changes; a receipt still null is work a job (or a redelivery) owes. */
    ingestedAt: { type: Date, default: null },
  },
  { minimize: false, versionKey: false },
);
// Deleting a connection purges its receipts; pruning drops old ones (no TTL indexes on FerretDB).
webhookReceiptSchema.index({ connectionId: 1 });
webhookReceiptSchema.index({ receivedAt: 1 });

export type WebhookReceiptDoc = InferSchemaType<typeof webhookReceiptSchema>;
export type WebhookReceiptModel = Model<WebhookReceiptDoc>;

export function webhookReceiptModel(conn: Connection): WebhookReceiptModel {
  return (
    (conn.models.WebhookReceipt as WebhookReceiptModel | undefined) ??
    conn.model('WebhookReceipt', webhookReceiptSchema, 'webhook_receipts')
  );
}
