import { BadUserInputError } from '../errors';
import { CRM_OBJECTS, type CrmConnector, type CrmObject } from './types';

/**
 * The gateway key of a connection (`settings.gatewayKeyField`, docs/writes.md "Exactly once in effect"):
 * the field every create is sent as an upsert on, valued with the write operation's id, so a resend finds
 * the record it made instead of making a second one. The write engine reads it per object
 * (src/worker/writes/gateway-key.ts); this checks it when the connection is made, against the CRM's own
 * field metadata, because a field that is not an upsert key would make every create fail — or worse,
 * on a vendor that ignores an unknown key, make creates that cannot be found again.
 */

/** A native field name we accept in settings: letters, digits and `_` (the engine refuses anything else). */
const FIELD_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,79}$/;

/**
 * The field named for each object, or problems with the setting's shape: a string (every object) or an
 * object keyed by object name. Absent → an empty map (the connection has no gateway key).
 */
export function gatewayKeySetting(settings: Readonly<Record<string, unknown>>): {
  fields: Map<CrmObject, string>;
  problems: string[];
} {
  const raw = settings.gatewayKeyField;
  const fields = new Map<CrmObject, string>();
  const problems: string[] = [];
  if (raw === undefined || raw === null) return { fields, problems };
  const named = (object: CrmObject, value: unknown) => {
    if (typeof value === 'string' && FIELD_NAME.test(value)) fields.set(object, value);
    else
      problems.push(
        `settings.gatewayKeyField${typeof raw === 'string' ? '' : `.${object}`}: a native field name ` +
          `(letters, digits, _) was expected; got ${JSON.stringify(value)?.slice(0, 80)}`,
      );
  };
  if (typeof raw === 'string') {
    for (const object of CRM_OBJECTS) named(object, raw);
  } else if (typeof raw === 'object' && !Array.isArray(raw)) {
    for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
      if ((CRM_OBJECTS as readonly string[]).includes(key)) named(key as CrmObject, value);
      else
        problems.push(
          `settings.gatewayKeyField.${key.slice(0, 40)}: not an object (${CRM_OBJECTS.join(', ')})`,
        );
    }
  } else {
    problems.push(
      'settings.gatewayKeyField: a field name, or an object of field names per object, was expected',
    );
  }
  return { fields, problems };
}

/**
 * Checks the connection's gateway key fields against `describeFields`: each must exist, be writable, and
 * be one the vendor upserts by (`externalId`). One describe per object named. BAD_USER_INPUT with
 * `details.problems` naming every offending field at once.
 */
export async function checkGatewayKeyFields(
  connector: Pick<CrmConnector, 'describeFields'>,
  settings: Readonly<Record<string, unknown>>,
): Promise<void> {
  const { fields, problems } = gatewayKeySetting(settings);
  for (const [object, name] of fields) {
    const field = (await connector.describeFields(object)).find((f) => f.name === name);
    if (!field) problems.push(`settings.gatewayKeyField: ${object} has no field ${name}`);
    else if (field.readOnly) problems.push(`settings.gatewayKeyField: ${object}.${name} is read-only`);
    else if (!field.externalId)
      problems.push(
        `settings.gatewayKeyField: ${object}.${name} is not a field the CRM upserts by ` +
          '(an external-id field or a unique-value property)',
      );
  }
  if (problems.length > 0) {
    throw new BadUserInputError(`the connection's gateway key cannot be used: ${problems.join('; ')}`, {
      details: { problems },
    });
  }
}
