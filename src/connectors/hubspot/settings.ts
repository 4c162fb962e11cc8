import { z } from 'zod';
import { ConnectorSettingsError } from '../settings-error';
import { type CrmObject, type ReadFields } from '../types';
import { DEFAULT_SEARCH_OVERLAP_MS } from './hubspot.constants';

/**
 * The per-connection settings the HubSpot connector reads (`Connection.settings`). Unknown keys are
 * ignored: settings are shared with other layers.
 */
const schema = z.object({
  /**
   * Search overlap for change polls (index lag), ms.
   * @defaultValue 120000
   */
  searchOverlapMs: z.number().int().min(0).max(3_600_000).optional(),
  /**
   * The public URL HubSpot was told to call, exactly as configured in the app (signatures cover it).
   * Absent: the URL the gateway reconstructed from PUBLIC_URL.
   */
  webhookUrl: z.string().url().optional(),
  /**
   * The app's client secret that keys webhook signatures. Kept with the connection's settings until the
   * connector context exposes decrypted credentials; never logged (the logger redacts `*.clientSecret`).
   */
  webhookClientSecret: z.string().min(1).optional(),
  /**
   * Extra properties to read, per object. Reads already name every property the portal defines; these
   * (with the read path's `ConnectorContext.readFields`) are added so a property created after the
   * property list was cached is read at once.
   */
  fields: z
    .object({ contact: z.array(z.string()).optional(), deal: z.array(z.string()).optional() })
    .partial()
    .optional(),
});

export interface HubSpotSettings {
  searchOverlapMs: number;
  webhookUrl?: string;
  webhookClientSecret?: string;
  fields: { contact: string[]; deal: string[] };
}

/**
 * Reads the HubSpot part of a connection's settings, with the fields the read path asks for
 * (`readFields`) read besides those the settings list; a malformed value throws naming the key.
 */
export function hubspotSettings(
  raw: Readonly<Record<string, unknown>>,
  readFields?: ReadFields,
): HubSpotSettings {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConnectorSettingsError(
      `invalid HubSpot connection setting ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'unknown'}`,
    );
  }
  const fieldsFor = (obj: CrmObject): string[] => {
    const configured = parsed.data.fields?.[obj] ?? [];
    return readFields ? [...new Set([...configured, ...(readFields[obj] ?? [])])] : configured;
  };
  return {
    searchOverlapMs: parsed.data.searchOverlapMs ?? DEFAULT_SEARCH_OVERLAP_MS,
    webhookUrl: parsed.data.webhookUrl,
    webhookClientSecret: parsed.data.webhookClientSecret,
    fields: { contact: fieldsFor('contact'), deal: fieldsFor('deal') },
  };
}
