import { z } from 'zod';
import { ConnectorSettingsError } from '../settings-error';

/**
 * The per-connection settings the Pipedrive connector reads (`Connection.settings`). Unknown keys are
 * ignored: settings are shared with other layers (`gatewayKeyField` is the write engine's).
 */
const schema = z.object({
  /**
   * The Basic-auth user and password the connection's webhooks were registered with
   * (`http_auth_user`/`http_auth_password`): Pipedrive signs nothing, so these prove a delivery.
   * Secrets: never logged, compared in constant time (`webhooks.ts`).
   */
  webhookUser: z.string().min(1).optional(),
  webhookPassword: z.string().min(1).optional(),
  /**
   * Read and write deal ↔ person links through the deal's participants as well as its `person_id`
   * (docs/vendors/pipedrive.md "Connector: deal contacts"). Off by default: participants have no batch
   * endpoint, so each deal's contacts cost one more call (a v1 participants list, 10 tokens).
   * @defaultValue false
   */
  dealParticipants: z.boolean().default(false),
});

export interface PipedriveSettings {
  webhookUser?: string;
  webhookPassword?: string;
  dealParticipants: boolean;
}

/** Reads the Pipedrive part of a connection's settings; a malformed value throws naming the key. */
export function pipedriveSettings(raw: Readonly<Record<string, unknown>>): PipedriveSettings {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConnectorSettingsError(
      `invalid Pipedrive connection setting ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`,
    );
  }
  return {
    webhookUser: parsed.data.webhookUser,
    webhookPassword: parsed.data.webhookPassword,
    dealParticipants: parsed.data.dealParticipants,
  };
}
