import { type CrmObject } from '../connectors/types';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type EffectiveMapping } from './mappings';

/** Native fields a connector should read beyond the settings and the overrides, per object. */
export type ExtraFields = Partial<Record<CrmObject, readonly string[]>>;

/**
 * The connection as its connector should see it: `settings.fields` (the extra native fields a
 * connector reads per object, where its API has no "all fields") also lists every native field the
 * connection's overrides map, so a newly mapped custom field is read without touching the settings,
 * and `extra` (the custom fields mapped by default, found in `describeFields`).
 * Overrides were checked against `describeFields` when stored, so the fields exist.
 */
export function withMappedFields(
  connection: ConnectionView,
  mapped: Readonly<Record<CrmObject, EffectiveMapping>>,
  extraFields: ExtraFields,
): ConnectionView {
  const configured = (connection.settings.fields ?? {}) as Partial<Record<CrmObject, string[]>>;
  const extra = (object: CrmObject): string[] => {
    const natives = mapped[object].overrides.flatMap((o) => ('remove' in o ? [] : [o.native]));
    return [...new Set([...(configured[object] ?? []), ...natives, ...(extraFields[object] ?? [])])];
  };
  const adds = (object: CrmObject): boolean =>
    mapped[object].overrides.length > 0 || (extraFields[object]?.length ?? 0) > 0;
  if (!adds('contact') && !adds('deal')) return connection;
  return {
    ...connection,
    settings: { ...connection.settings, fields: { contact: extra('contact'), deal: extra('deal') } },
  };
}
