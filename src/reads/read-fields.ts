import { type CrmObject, type ReadFields } from '../connectors/types';
import { type EffectiveMapping } from './mappings';

/** Native fields a connector should read beyond the overrides, per object. */
export type ExtraFields = Partial<Record<CrmObject, readonly string[]>>;

/**
 * What the connector of a connection must read beyond its own fields and its settings' (see
 * {@link ReadFields}): every native field the connection's overrides map, so a newly mapped custom
 * field is read without touching the settings, and `extra` (the custom fields mapped by default,
 * found in `describeFields`). Undefined when neither adds a field.
 * Overrides were checked against `describeFields` when stored, so the fields exist.
 */
export function readFieldsOf(
  mapped: Readonly<Record<CrmObject, EffectiveMapping>>,
  extraFields: ExtraFields,
): ReadFields | undefined {
  const fields = (object: CrmObject): string[] => {
    const natives = mapped[object].overrides.flatMap((o) => ('remove' in o ? [] : [o.native]));
    return [...new Set([...natives, ...(extraFields[object] ?? [])])];
  };
  const adds = (object: CrmObject): boolean =>
    mapped[object].overrides.length > 0 || (extraFields[object]?.length ?? 0) > 0;
  if (!adds('contact') && !adds('deal')) return undefined;
  return { contact: fields('contact'), deal: fields('deal') };
}
