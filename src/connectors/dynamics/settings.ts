import { z } from 'zod';
import { ConnectorSettingsError } from '../settings-error';
import { type CrmObject, type ReadFields } from '../types';

/**
 * The per-connection settings the Dynamics connector reads (`Connection.settings`). Unknown keys are
 * ignored: settings are shared with other layers.
 */
const schema = z.object({
  /**
   * The WebhookKey of the connection's service endpoint (Dataverse sends it as the `code` query
   * parameter). A secret: the connector never logs settings, and compares it in constant time.
   */
  webhookKey: z.string().min(1).optional(),
  /**
   * The HttpHeader auth of the service endpoint: header name → value, every one of which a delivery
   * must carry. Use instead of, or with, `webhookKey`.
   */
  webhookHeaders: z.record(z.string(), z.string().min(1)).optional(),
  /**
   * Extra columns to read, per object (logical names, e.g. `cr8f3_tier`), beside the connector's own
   * and those the read path asks for (`ConnectorContext.readFields`).
   */
  /**
   * The org's `ExpireChangeTrackingInDays` (docs/vendors/dynamics.md "Change tracking"): how long a
   * delta token stays good, so how far back the change feed reaches. 7 unless the org changed it.
   */
  changeTrackingDays: z.number().int().min(1).max(365).optional(),
  fields: z
    .object({ contact: z.array(z.string()).optional(), deal: z.array(z.string()).optional() })
    .partial()
    .optional(),
});

/** Dataverse's default `ExpireChangeTrackingInDays`. */
export const DEFAULT_CHANGE_TRACKING_DAYS = 7;

export interface DynamicsSettings {
  webhookKey?: string;
  webhookHeaders?: Readonly<Record<string, string>>;
  changeTrackingDays: number;
  fields: { contact: string[]; deal: string[] };
}

/** Reads the Dynamics part of a connection's settings; a malformed value throws naming the key. */
export function dynamicsSettings(
  raw: Readonly<Record<string, unknown>>,
  readFields?: ReadFields,
): DynamicsSettings {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConnectorSettingsError(
      `invalid Dynamics 365 connection setting ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`,
    );
  }
  const fieldsFor = (obj: CrmObject): string[] => [
    ...new Set([...(parsed.data.fields?.[obj] ?? []), ...(readFields?.[obj] ?? [])]),
  ];
  return {
    webhookKey: parsed.data.webhookKey,
    webhookHeaders: parsed.data.webhookHeaders,
    changeTrackingDays: parsed.data.changeTrackingDays ?? DEFAULT_CHANGE_TRACKING_DAYS,
    fields: { contact: fieldsFor('contact'), deal: fieldsFor('deal') },
  };
}
