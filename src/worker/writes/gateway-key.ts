import { gatewayKeySetting } from '../../connectors/gateway-key-check';
import { type CrmObject } from '../../connectors/types';

/**
 * The connection's gateway key field for `object` (docs/writes.md "Exactly once"), from
 * `settings.gatewayKeyField`: one field for every object (`"External_Id__c"`, a CRM external-id field)
 * or one per object (`{"contact":"crm_external_id","deal":"deal_external_id"}`, unique-value properties).
 * Creates are sent as upserts on it with the operation id as the value, so a resend cannot make a second
 * record. Null when the connection names none (or a malformed one, which createConnection refuses:
 * src/connectors/gateway-key-check.ts): its creates are sent as plain creates, and one whose outcome is
 * unknown is never resent.
 */
export function gatewayKeyField(
  settings: Readonly<Record<string, unknown>>,
  object: CrmObject,
): string | null {
  return gatewayKeySetting(settings).fields.get(object) ?? null;
}
