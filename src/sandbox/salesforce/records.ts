import { SfHttpError } from './errors';
import { findField, findObject, type SfObject, type SfSchema } from './schema';
import { type SaveResult } from './store';
import { outputValue, type SfRecord } from './values';

/** The object named in a REST path, as the org has it, or 404 NOT_FOUND as Salesforce answers for unknown types. */
export function objectFromPath(type: string, schema: SfSchema): SfObject {
  const obj = findObject(type, schema);
  if (!obj)
    throw new SfHttpError(404, { errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' });
  return obj;
}

/** `?fields=A,B` → canonical field names; an unknown one is 400 INVALID_FIELD. */
export function fieldList(obj: SfObject, fields: string | string[] | undefined): string[] | undefined {
  if (fields === undefined) return undefined;
  const names = (Array.isArray(fields) ? fields : fields.split(','))
    .map((f) => f.trim())
    .filter((f) => f !== '');
  return names.map((name) => {
    const field = findField(obj, name);
    if (!field) {
      throw new SfHttpError(400, {
        errorCode: 'INVALID_FIELD',
        message: `No such column '${name}' on sobject of type ${obj.name}`,
      });
    }
    return field.name;
  });
}

/** A record as REST returns it: `attributes` first, then fields in describe order (or as asked). */
export function renderRecord(
  obj: SfObject,
  rec: SfRecord,
  version: string,
  fields?: string[],
): Record<string, unknown> {
  const out: Record<string, unknown> = {
    attributes: { type: obj.name, url: `/services/data/${version}/sobjects/${obj.name}/${String(rec.Id)}` },
  };
  const names = fields ?? obj.fields.map((f) => f.name);
  if (fields && !fields.includes('Id')) out.Id = rec.Id;
  for (const name of names) {
    const field = obj.fieldMap.get(name);
    if (field) out[name] = outputValue(field, rec[name]);
  }
  return out;
}

/** A SaveResult as single-record REST errors render it (`errorCode`); collections use `saveErrors`. */
export function throwIfFailed(result: SaveResult): asserts result is Extract<SaveResult, { success: true }> {
  if (!result.success) {
    const notFound =
      result.errors.length === 1 &&
      result.errors[0]?.errorCode === 'INVALID_CROSS_REFERENCE_KEY' &&
      !result.errors[0].fields;
    if (notFound)
      throw new SfHttpError(404, {
        errorCode: 'NOT_FOUND',
        message: 'The requested resource does not exist',
      });
    const deleted = result.errors[0]?.errorCode === 'ENTITY_IS_DELETED' && !result.errors[0].fields;
    throw new SfHttpError(deleted ? 404 : 400, result.errors);
  }
}

/** Reads a JSON object body or fails the way Salesforce does for a non-object body. */
export function objectBody(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new SfHttpError(400, {
      errorCode: 'JSON_PARSER_ERROR',
      message: 'Cannot deserialize instance of sObject from the request body',
    });
  }
  return body as Record<string, unknown>;
}
