import { type CrmObject, type NativeRecord, type NativeValue } from '../types';
import { TABLES } from './dynamics.constants';
import { type WireRow } from './wire.types';

/**
 * Pure Dataverse row → {@link NativeRecord}. Annotations (`@odata.etag`, formatted values) are dropped;
 * a single-valued `$expand` (an object) is flattened into dotted paths (`transactioncurrencyid` →
 * `transactioncurrencyid.isocurrencycode`), the native paths the mapping names. GUIDs are lower-cased
 * as Dataverse writes them, so ids compare equal whatever case a caller used.
 */
export function rowToRecord(obj: CrmObject, row: WireRow): NativeRecord {
  const fields: Record<string, NativeValue> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name.includes('@') || value === undefined) continue;
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      for (const [inner, innerValue] of Object.entries(value)) {
        if (!inner.includes('@')) fields[`${name}.${inner}`] = innerValue;
      }
      continue;
    }
    fields[name] = value;
  }
  const id = fields[TABLES[obj].key];
  const modified = fields.modifiedon;
  return {
    remoteId: typeof id === 'string' ? id.toLowerCase() : String(id),
    fields,
    updatedAt: typeof modified === 'string' ? modified : null,
    // Dataverse deletes rows outright: a row that answers is live.
    isDeleted: false,
  };
}
