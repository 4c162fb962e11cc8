import { z } from 'zod';
import { ConnectorSettingsError } from '../settings-error';

/**
 * The per-connection settings the Zoho connector reads (`Connection.settings`). Unknown keys are
 * ignored: settings are shared with other layers (`gatewayKeyField` is the write engine's).
 */
const schema = z.object({
  /**
   * The token the connection's notification channels were subscribed with (`watch`'s `token`, at most
   * 50 characters), echoed by Zoho on every callback: the proof a delivery is ours. A secret.
   */
  notificationToken: z.string().min(8).max(50).optional(),
  /** Deal ↔ contact through the deal's contact roles too, not only its `Contact_Name` (one call per deal). */
  dealContactRoles: z.boolean().optional(),
  /**
   * The name of the contact role a link adds when the deal's `Contact_Name` is taken (with
   * `dealContactRoles`). Absent: the first role the org defines.
   */
  contactRole: z.string().min(1).max(120).optional(),
  /** Extra native fields to read per object, beside the standard ones and the mapped custom ones. */
  /** The first wait between looks at a Bulk Write job, in ms. @defaultValue 2000 */
  bulkPollIntervalMs: z.number().int().positive().optional(),
  /** How long one Bulk Write job may take before the call fails (retryable: the job upserts). @defaultValue 600000 */
  bulkTimeoutMs: z.number().int().positive().optional(),
  extraFields: z.record(z.string(), z.array(z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,99}$/))).optional(),
});

export type ZohoSettings = z.infer<typeof schema>;

/** Reads the Zoho part of a connection's settings; a malformed value throws naming the key. */
export function zohoSettings(raw: Readonly<Record<string, unknown>>): ZohoSettings {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConnectorSettingsError(
      `invalid Zoho CRM connection setting ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`,
    );
  }
  return parsed.data;
}
