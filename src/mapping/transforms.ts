import { type NativeValue } from '../connectors/types';
import { type CanonicalValue, type MappingContext, type NativeFields, type Transform } from './types';
import {
  MappingValueError,
  decimalToExactNumber,
  normalizeDecimal,
  toBoolean,
  toDecimalString,
  toEpochMs,
  toIsoDate,
  toIsoDatetime,
  toNumber,
} from './values';

/** Native → canonical for one value. `record` is the whole native record (derived transforms read it). */
export function readValue(
  t: Transform,
  value: NativeValue | undefined,
  record: NativeFields,
  ctx: MappingContext,
): CanonicalValue {
  if (t.kind === 'status_from_flags') {
    const closed = record[t.closedField];
    const won = record[t.wonField];
    if (closed === undefined || closed === null) return null;
    if (!toBoolean(closed)) return 'OPEN';
    return toBoolean(won ?? false) ? 'WON' : 'LOST';
  }
  // Vendors send "" for an empty text or number property (some do); canonically that is null.
  if (value === undefined || value === null || value === '') return null;
  switch (t.kind) {
    case 'string': {
      if (typeof value === 'object')
        throw new MappingValueError(`expected text, got ${JSON.stringify(value)}`);
      return String(value);
    }
    case 'number':
      return toNumber(value, t.integer);
    case 'decimal':
      return toDecimalString(value);
    case 'percent':
      return Number(shiftDecimal(toDecimalString(value), t.nativeScale === 1 ? 2 : 0));
    case 'date':
      if (t.native === 'date') return toIsoDate(value);
      return toIsoDatetime(value).slice(0, 10);
    case 'datetime':
      return toIsoDatetime(value);
    case 'boolean':
      return toBoolean(value);
    case 'picklist': {
      const key = scalarText(value);
      const mapped = t.values[key];
      if (mapped !== undefined) return mapped;
      return t.unknown === 'passthrough' ? key : null;
    }
    case 'multi': {
      const items = Array.isArray(value) ? value.map(scalarText) : scalarText(value).split(t.separator);
      return items.map((s) => s.trim()).filter((s) => s !== '');
    }
    case 'lookup': {
      const key = scalarText(value);
      const found = ctx.lookups?.[t.table]?.get(key);
      if (found !== undefined) return found;
      return t.missing === 'passthrough' ? key : null;
    }
  }
}

/** Canonical → native for one value. Throws {@link MappingValueError} for a value the CRM cannot take. */
export function writeValue(t: Transform, value: CanonicalValue, ctx: MappingContext): NativeValue {
  if (t.kind === 'status_from_flags')
    throw new MappingValueError('this field is derived and cannot be written');
  if (value === null) return null;
  switch (t.kind) {
    case 'string': {
      if (typeof value !== 'string')
        throw new MappingValueError(`expected text, got ${JSON.stringify(value)}`);
      if (t.maxLength !== undefined && value.length > t.maxLength) {
        throw new MappingValueError(`expected at most ${t.maxLength} characters, got ${value.length}`);
      }
      return value;
    }
    case 'number':
      return toNumber(value, t.integer);
    case 'decimal': {
      if (typeof value !== 'string')
        throw new MappingValueError(`expected a decimal string, got ${JSON.stringify(value)}`);
      const d = normalizeDecimal(value);
      return t.native === 'string' ? d : decimalToExactNumber(d);
    }
    case 'percent': {
      const d = shiftDecimal(toDecimalString(toNumber(value)), t.nativeScale === 1 ? -2 : 0);
      return t.native === 'string' ? d : decimalToExactNumber(d);
    }
    case 'date': {
      const date = toIsoDate(value);
      if (t.native === 'date') return date;
      const ms = Date.parse(`${date}T00:00:00.000Z`);
      return t.native === 'epoch_ms' ? String(ms) : new Date(ms).toISOString();
    }
    case 'datetime': {
      const ms = toEpochMs(value);
      return t.native === 'epoch_ms' ? String(ms) : new Date(ms).toISOString();
    }
    case 'boolean': {
      if (typeof value !== 'boolean')
        throw new MappingValueError(`expected true or false, got ${JSON.stringify(value)}`);
      return t.native === 'string' ? String(value) : value;
    }
    case 'picklist': {
      const text = scalarText(value);
      const native = Object.entries(t.values).find(([, canonical]) => canonical === text)?.[0];
      if (native !== undefined) return native;
      if (t.unknown === 'passthrough') return text;
      throw new MappingValueError(
        `expected one of ${Object.values(t.values).join(', ')}, got ${JSON.stringify(value)}`,
      );
    }
    case 'multi': {
      if (!Array.isArray(value))
        throw new MappingValueError(`expected a list of strings, got ${JSON.stringify(value)}`);
      for (const item of value) {
        if (item.includes(t.separator)) {
          throw new MappingValueError(
            `a value may not contain ${JSON.stringify(t.separator)}: ${JSON.stringify(item)}`,
          );
        }
      }
      return value.join(t.separator);
    }
    case 'lookup': {
      const text = scalarText(value);
      const table = ctx.lookups?.[t.table];
      if (table) for (const [native, canonical] of table) if (canonical === text) return native;
      if (t.missing === 'passthrough') return text;
      throw new MappingValueError(`no ${t.table} entry for ${JSON.stringify(value)}`);
    }
  }
}

function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new MappingValueError(`expected a single value, got ${JSON.stringify(value)}`);
}

/** Moves the decimal point of a normalized decimal string by `places` (positive: × 10^places). */
export function shiftDecimal(decimal: string, places: number): string {
  if (places === 0) return decimal;
  const negative = decimal.startsWith('-');
  const [int, frac = ''] = (negative ? decimal.slice(1) : decimal).split('.');
  let digits = int + frac;
  let point = int.length + places;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  return normalizeDecimal(`${negative ? '-' : ''}${digits.slice(0, point) || '0'}.${digits.slice(point)}`);
}
