import { type CrmObject } from '../../connectors/types';

/** A native field name we may put in a vendor request: letters, digits and `_` (hostile settings refused). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,79}$/;

/**
 * The connection's gateway key field for `object` (docs/writes.md "Exactly once"), from
 * `settings.gatewayKeyField`: one field for every object (`"External_Id__c"`, a CRM external-id field)
 * or one per object (`{"contact":"crm_external_id","deal":"deal_external_id"}`, unique-value properties). Creates are sent as upserts on it with the operation id as the value, so a resend cannot
 * make a second record. Null when the connection names none (or names something that is not a field
 * name): its creates are sent as plain creates, and one whose outcome is unknown is never resent.
 */
export function gatewayKeyField(
  settings: Readonly<Record<string, unknown>>,
  object: CrmObject,
): string | null {
  const raw = settings.gatewayKeyField;
  const named =
    typeof raw === 'string'
      ? raw
      : raw && typeof raw === 'object' && !Array.isArray(raw)
        ? (raw as Record<string, unknown>)[object]
        : undefined;
  return typeof named === 'string' && FIELD_NAME.test(named) ? named : null;
}
