import { z } from 'zod';
import { ConnectorSettingsError } from '../settings-error';
import { type CrmObject, type ReadFields } from '../types';

/**
 * The per-connection settings the Dynamics connector reads (`Connection.settings`). Unknown keys are
 * ignored: settings are shared with other layers.
 */
const schema = z.object({
  /**
   * Extra columns to read, per object (logical names, e.g. `cr8f3_tier`), beside the connector's own
   * and those the read path asks for (`ConnectorContext.readFields`).
   */
  fields: z
    .object({ contact: z.array(z.string()).optional(), deal: z.array(z.string()).optional() })
    .partial()
    .optional(),
});

export interface DynamicsSettings {
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
  return { fields: { contact: fieldsFor('contact'), deal: fieldsFor('deal') } };
}
