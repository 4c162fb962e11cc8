// A create/update body → column values (docs/vendors/dynamics.md "Creating and updating rows"):
// plain columns checked against their type, length and choices; lookups set only through
// `<navigation>@odata.bind` ("/contacts(<guid>)" or a full URL), with the documented refusals.
import { API_PREFIX } from './constants';
import { badRequest, DV_CODES, DvError, notFound } from './errors';
import { isGuid, keyText, parseRowKey } from './keys';
import { attributeOf, entityBySetName, isLookup, type AttributeDef, type EntityDef } from './schema';
import { type DvStore, type LookupValue } from './store';

const EDM_TYPE: Partial<Record<AttributeDef['type'], string>> = {
  String: 'Edm.String',
  Memo: 'Edm.String',
  Integer: 'Edm.Int32',
  BigInt: 'Edm.Int64',
  Decimal: 'Edm.Decimal',
  Money: 'Edm.Decimal',
  Boolean: 'Edm.Boolean',
  DateTime: 'Edm.DateTimeOffset',
  Uniqueidentifier: 'Edm.Guid',
  Picklist: 'Edm.Int32',
  State: 'Edm.Int32',
  Status: 'Edm.Int32',
};

function cannotConvert(value: unknown, attribute: AttributeDef): DvError {
  return badRequest(
    `Cannot convert the literal '${JSON.stringify(value)}' to the expected type '${EDM_TYPE[attribute.type] ?? 'Edm.String'}'.`,
  );
}

function validationError(code: string, message: string): DvError {
  return new DvError(400, code, message);
}

/** A bind target: `/contacts(<guid>)`, `contacts(<guid>)` or the full entity URL. */
export function parseEntityReference(text: string): { set: string; id: string } | undefined {
  const m = /^([A-Za-z_]+)\(([^)]+)\)$/.exec(referencePath(text));
  if (!m || !isGuid(m[2])) return undefined;
  return { set: m[1], id: m[2].toLowerCase() };
}

/**
 * The row a reference names, by id (`/contacts(<guid>)`) or by an alternate key
 * (`/transactioncurrencies(isocurrencycode='EUR')`, docs/vendors/dynamics.md "Rows and keys"): its id,
 * or undefined when the text names no row of `target`'s set. A well-formed reference to a row that does
 * not exist is a 404, as Dataverse answers it.
 */
function referencedId(text: string, target: string, key: string, store: DvStore): string | undefined {
  const byId = parseEntityReference(text);
  const entity = byId ? entityBySetName(byId.set) : keyedEntity(text);
  if (!entity || entity.logicalName !== target) return undefined;
  if (byId) {
    if (!store.get(target, byId.id)) throw notFound(target, byId.id);
    return byId.id;
  }
  const inner = /\((.+)\)$/s.exec(referencePath(text))?.[1] ?? '';
  let rowKey;
  try {
    rowKey = parseRowKey(entity, inner);
  } catch {
    throw badRequest(`The value '${text}' of '${key}' names no alternate key of ${target}.`);
  }
  const row = rowKey.kind === 'id' ? store.get(target, rowKey.id) : store.findByKey(target, rowKey.values);
  if (!row) throw notFound(target, keyText(rowKey));
  return row.id;
}

/** The set-relative path of a reference (`contacts(…)`), from a full URL or a path. */
function referencePath(text: string): string {
  let path = text;
  const at = path.indexOf(`${API_PREFIX}/`);
  if (at >= 0) path = path.slice(at + API_PREFIX.length + 1).replace(/^v9\.\d\//, '');
  return path.replace(/^\//, '');
}

function keyedEntity(text: string): EntityDef | undefined {
  const m = /^([A-Za-z_]+)\(.+\)$/s.exec(referencePath(text));
  return m ? entityBySetName(m[1]) : undefined;
}

function columnValue(entity: EntityDef, attribute: AttributeDef, value: unknown): unknown {
  if (value === null) {
    if (attribute.requiredLevel === 'SystemRequired')
      throw validationError(
        DV_CODES.invalidArgument,
        `Attribute '${attribute.logicalName}' cannot be set to NULL`,
      );
    return null;
  }
  switch (attribute.type) {
    case 'String':
    case 'Memo':
      if (typeof value !== 'string') throw cannotConvert(value, attribute);
      if (attribute.maxLength !== undefined && value.length > attribute.maxLength)
        throw validationError(
          DV_CODES.stringTooLong,
          `A validation error occurred. The length of the '${attribute.logicalName}' attribute of the '${entity.logicalName}' entity exceeded the maximum allowed length of '${attribute.maxLength}'.`,
        );
      return value;
    case 'Picklist':
    case 'State':
    case 'Status': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw cannotConvert(value, attribute);
      const options = attribute.options ?? [];
      if (!options.some((o) => o.value === value))
        throw validationError(
          DV_CODES.choiceOutOfRange,
          `A validation error occurred. The value ${value} of '${attribute.logicalName}' on record of type '${entity.logicalName}' is outside the valid range. Accepted Values: ${options.map((o) => o.value).join(',')}`,
        );
      return value;
    }
    case 'Integer':
    case 'BigInt':
    case 'Decimal':
    case 'Money': {
      const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof n !== 'number' || !Number.isFinite(n)) throw cannotConvert(value, attribute);
      if ((attribute.type === 'Integer' || attribute.type === 'BigInt') && !Number.isInteger(n))
        throw cannotConvert(value, attribute);
      if (
        (attribute.min !== undefined && n < attribute.min) ||
        (attribute.max !== undefined && n > attribute.max)
      )
        throw validationError(
          DV_CODES.numberOutOfRange,
          `A validation error occurred. The value of '${attribute.logicalName}' on record of type '${entity.logicalName}' is outside the valid range.`,
        );
      return attribute.type === 'Money' ? Math.round(n * 100) / 100 : n;
    }
    case 'Boolean':
      if (typeof value !== 'boolean') throw cannotConvert(value, attribute);
      return value;
    case 'DateTime': {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw cannotConvert(value, attribute);
      if (attribute.dateOnly) return value.slice(0, 10);
      return new Date(value).toISOString().replace(/\.\d{3}Z$/, 'Z');
    }
    case 'Uniqueidentifier':
      if (typeof value !== 'string' || !isGuid(value)) throw cannotConvert(value, attribute);
      return value.toLowerCase();
    default:
      throw cannotConvert(value, attribute);
  }
}

/**
 * Column values of a body. `mode` picks the writability flag checked (valid for create or for update);
 * columns not writable on that path (fullname, versionnumber, createdon…) are dropped silently, as
 * Dataverse ignores the computed columns it owns. State columns always pass: states.ts rules on them.
 */
export function bodyToValues(
  entity: EntityDef,
  body: unknown,
  store: DvStore,
  mode: 'create' | 'update',
): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('The request body must be a JSON object that describes one row.');
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body as Record<string, unknown>)) {
    if (key.startsWith('@')) continue;
    if (key.endsWith('@odata.bind')) {
      const navigation = key.slice(0, -'@odata.bind'.length);
      const nav = entity.navigation[navigation];
      if (!nav)
        throw badRequest(
          `An undeclared property '${navigation}' which only has property annotations in the payload but no property value was found in the payload.`,
        );
      if (value === null) {
        values[nav.attribute] = null;
        continue;
      }
      const id = typeof value === 'string' ? referencedId(value, nav.target, key, store) : undefined;
      if (!id)
        throw badRequest(
          `The value '${String(value)}' of '${key}' is not a valid reference to a ${nav.target} row.`,
        );
      values[nav.attribute] = { id, entity: nav.target } satisfies LookupValue;
      continue;
    }
    if (key.includes('@')) continue;
    if (/^_.+_value$/.test(key))
      throw badRequest(
        'CRM do not support direct update of Entity Reference properties, Use Navigation properties instead.',
      );
    const attribute = attributeOf(entity, key);
    if (!attribute || isLookup(attribute))
      throw badRequest(
        `The property '${key}' does not exist on type 'Microsoft.Dynamics.CRM.${entity.logicalName}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
      );
    const writable = mode === 'create' ? attribute.validForCreate : attribute.validForUpdate;
    if (!writable && !(attribute.type === 'State' || attribute.type === 'Status')) continue;
    values[key] = columnValue(entity, attribute, value);
  }
  return values;
}
