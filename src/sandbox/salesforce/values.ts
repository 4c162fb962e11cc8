import { type SfErrorItem } from './errors';
import { type SfField } from './schema';
import { idKey, objectForIdPrefix } from './id-lookup';

/** Stored field value. Datetimes are epoch ms; dates `YYYY-MM-DD`; ids 18 characters. */
export type SfValue = string | number | boolean | null;
export type SfRecord = Record<string, SfValue>;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

const formatted = new Map<number, string>();

/** `2024-05-20T20:49:32.000+0000`, the REST datetime format (docs/vendors/salesforce.md "Standard objects" Formats). */
export function formatDateTime(ms: number): string {
  // Memoised: records share timestamps and toISOString is a hot spot when rendering lists.
  let text = formatted.get(ms);
  if (text === undefined) {
    text = new Date(ms).toISOString().replace('Z', '+0000');
    if (formatted.size >= 50_000) formatted.clear();
    formatted.set(ms, text);
  }
  return text;
}

/** Parses REST / SOQL / CSV datetimes (`Z`, `+0000`, `+00:00`); NaN when invalid. */
export function parseDateTime(text: string): number {
  if (!DATETIME_RE.test(text)) return NaN;
  const normalized = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  return Date.parse(normalized);
}

export function isDate(text: string): boolean {
  return DATE_RE.test(text) && !Number.isNaN(Date.parse(`${text}T00:00:00Z`));
}

/** A stored value as REST JSON shows it. */
export function outputValue(field: SfField, value: SfValue | undefined): SfValue {
  if (value === undefined || value === null) return null;
  if (field.type === 'datetime' && typeof value === 'number') return formatDateTime(value);
  return value;
}

export type Coerced = { ok: true; value: SfValue } | { ok: false; error: SfErrorItem };

const fail = (errorCode: string, message: string, field: SfField): Coerced => ({
  ok: false,
  error: { errorCode, message, fields: [field.name] },
});

/**
 * Checks and converts one inbound value. `json` is a REST body value; `csv` a Bulk 2.0 cell (always
 * text). Messages follow Salesforce's "Label: problem: value" style; exact texts are UNVERIFIED.
 */
export function coerceValue(field: SfField, raw: unknown, mode: 'json' | 'csv'): Coerced {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  const badJson = (): Coerced =>
    fail(
      'JSON_PARSER_ERROR',
      `Cannot deserialize instance of ${field.type} from value ${JSON.stringify(raw)} or request may be missing a required field`,
      field,
    );
  switch (field.type) {
    case 'boolean': {
      if (typeof raw === 'boolean') return { ok: true, value: raw };
      if (mode === 'csv' && typeof raw === 'string') {
        const t = raw.toLowerCase();
        if (t === 'true' || t === '1') return { ok: true, value: true };
        if (t === 'false' || t === '0') return { ok: true, value: false };
      }
      return badJson();
    }
    case 'currency':
    case 'percent':
    case 'double':
    case 'int': {
      const n =
        typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
      if (!Number.isFinite(n)) return badJson();
      if (field.type === 'int' && !Number.isInteger(n)) return badJson();
      const digits = (field.precision ?? 18) - (field.scale ?? 0);
      if (Math.abs(n) >= 10 ** digits) {
        return fail(
          'NUMBER_OUTSIDE_VALID_RANGE',
          `${field.label}: value outside of valid range on numeric field: ${n}`,
          field,
        );
      }
      return { ok: true, value: field.scale !== undefined ? Number(n.toFixed(field.scale)) : n };
    }
    case 'date': {
      if (typeof raw !== 'string') return badJson();
      const text = raw.length > 10 && DATETIME_RE.test(raw) ? raw.slice(0, 10) : raw;
      return isDate(text) ? { ok: true, value: text } : badJson();
    }
    case 'datetime': {
      if (typeof raw !== 'string') return badJson();
      const ms = parseDateTime(raw);
      return Number.isNaN(ms) ? badJson() : { ok: true, value: ms };
    }
    case 'id':
    case 'reference': {
      if (typeof raw !== 'string') return badJson();
      if (raw === '') return { ok: true, value: null };
      const key = idKey(raw);
      if (!key) return fail('MALFORMED_ID', `${field.label}: id value of incorrect type: ${raw}`, field);
      if (field.referenceTo && objectForIdPrefix(key) !== field.referenceTo) {
        return fail('FIELD_INTEGRITY_EXCEPTION', `${field.label}: id value of incorrect type: ${raw}`, field);
      }
      return { ok: true, value: key };
    }
    default: {
      if (typeof raw !== 'string' && typeof raw !== 'number') return badJson();
      const text = String(raw);
      if (field.length !== undefined && text.length > field.length) {
        return fail(
          'STRING_TOO_LONG',
          `${field.label}: data value too large: ${text.slice(0, 40)} (max length=${field.length})`,
          field,
        );
      }
      if (field.type === 'email' && text !== '' && !EMAIL_RE.test(text)) {
        return fail('INVALID_EMAIL_ADDRESS', `${field.label}: invalid email address: ${text}`, field);
      }
      if (field.restrictedPicklist && field.picklist && text !== '' && !field.picklist.includes(text)) {
        return fail(
          'INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST',
          `${field.label}: bad value for restricted picklist field: ${text}`,
          field,
        );
      }
      return { ok: true, value: text === '' ? null : text };
    }
  }
}
