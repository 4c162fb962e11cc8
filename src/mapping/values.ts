/**
 * Value coercions shared by the transforms. Each throws {@link MappingValueError} saying what was
 * expected and what arrived; callers decide whether that is a bad CRM value (read) or bad input (write).
 */

export class MappingValueError extends Error {
  override name = 'MappingValueError';
}

function bad(expected: string, got: unknown): never {
  throw new MappingValueError(`expected ${expected}, got ${JSON.stringify(got)}`);
}

const DECIMAL_RE = /^([+-]?)(\d*)(?:\.(\d*))?$/;

/**
 * A canonical decimal string: optional "-", no leading zeros, no trailing fractional zeros, no
 * exponent ("0012.500" → "12.5", "-0" → "0"). Strings are handled digit by digit, never via a float.
 */
export function normalizeDecimal(text: string): string {
  const trimmed = text.trim();
  const expanded = /e/i.test(trimmed) ? expandExponent(trimmed) : trimmed;
  const m = DECIMAL_RE.exec(expanded);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return bad('a decimal number', text);
  const intPart = m[2].replace(/^0+(?=\d)/, '') || '0';
  const frac = (m[3] ?? '').replace(/0+$/, '');
  const body = frac ? `${intPart}.${frac}` : intPart;
  return m[1] === '-' && body !== '0' ? `-${body}` : body;
}

/** "1.5e3" → "1500", "2E-7" → "0.0000002": exponent notation rewritten on the digits. */
function expandExponent(text: string): string {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?e([+-]?\d+)$/i.exec(text);
  if (!m) return bad('a decimal number', text);
  const [, sign, int, frac = '', expText] = m;
  const exp = Number(expText);
  if (Math.abs(exp) > 400) return bad('a decimal number of reasonable magnitude', text);
  let digits = `${int}${frac}`;
  let point = int.length + exp;
  if (point < 0) {
    digits = '0'.repeat(-point) + digits;
    point = 0;
  }
  if (point > digits.length) digits += '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point) || '0'}.${digits.slice(point)}`;
}

/**
 * A native value (JSON number or string) as a canonical decimal string. A JSON number has already
 * been parsed into a double by the time we see it; its shortest round-trip spelling is the most
 * faithful text there is, so that is what we keep.
 */
export function toDecimalString(value: unknown): string {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return bad('a finite number', value);
    return normalizeDecimal(String(value));
  }
  if (typeof value === 'string') return normalizeDecimal(value);
  return bad('a decimal number or numeric string', value);
}

/**
 * A canonical decimal string as a JSON number, only when the number spells exactly the same decimal:
 * a write must fail rather than silently change an amount ("0.1000000000000000055" would).
 */
export function decimalToExactNumber(decimal: string): number {
  const normalized = normalizeDecimal(decimal);
  const n = Number(normalized);
  if (!Number.isFinite(n) || normalizeDecimal(String(n)) !== normalized) {
    return bad('a decimal this CRM can store without rounding (at most ~15 significant digits)', decimal);
  }
  return n;
}

export function toNumber(value: unknown, integer = false): number {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && value.trim() !== ''
        ? Number(value)
        : NaN;
  if (!Number.isFinite(n)) return bad(integer ? 'an integer' : 'a number', value);
  if (integer && !Number.isInteger(n)) return bad('an integer', value);
  return n;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Validates a calendar date "YYYY-MM-DD" (rejects 2026-02-30). */
export function toIsoDate(value: unknown): string {
  if (typeof value !== 'string') return bad('a date "YYYY-MM-DD"', value);
  const m = DATE_RE.exec(value.trim());
  if (!m) return bad('a date "YYYY-MM-DD"', value);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (
    d.getUTCFullYear() !== Number(m[1]) ||
    d.getUTCMonth() !== Number(m[2]) - 1 ||
    d.getUTCDate() !== Number(m[3])
  ) {
    return bad('an existing calendar date', value);
  }
  return m[0];
}

// ISO-8601 with a time and an explicit zone (Z, ±hh:mm or ±hhmm); a zone-less time would
// be read in the server's zone, which no vendor means.
const DATETIME_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;

/** Epoch ms from an ISO datetime with zone, a number of epoch ms, or a string of epoch ms. */
export function toEpochMs(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return bad('a datetime', value);
    return value;
  }
  if (typeof value !== 'string') return bad('a datetime', value);
  const text = value.trim();
  if (/^-?\d{1,16}$/.test(text)) return Number(text);
  if (!DATETIME_RE.test(text)) return bad('an ISO-8601 datetime with a time zone', value);
  // Date.parse wants ±hh:mm; some vendors send ±hhmm.
  const ms = Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  if (Number.isNaN(ms)) return bad('an ISO-8601 datetime', value);
  return ms;
}

/**
 * A datetime already in ISO form, in UTC, to the millisecond (`Z`, `+0000` or `+00:00`): how the vendors
 * we read send their timestamps. Captures the day and the hour.
 */
const UTC_MS_RE = /^\d{4}-\d{2}-(\d{2})T(\d{2}):\d{2}:\d{2}\.\d{3}(?:Z|\+00:?00)$/;

/** Epoch ms as `Date#toISOString` writes them (UTC, to the millisecond). */
export function toIsoDatetime(value: unknown): string {
  if (typeof value === 'string') {
    // Two per record of every read, hundreds of records a request: a text already in the canonical form
    // is its own answer with `Z`, and needs no Date round trip. Date.parse still checks the month, the
    // minutes and the seconds; a day up to 28 and an hour up to 23 are ones Date never moves to
    // another (it reads 2024-02-30 as March 1st and 24:00 as the next day): those take the general path.
    const m = UTC_MS_RE.exec(value);
    if (m && Number(m[1]) <= 28 && Number(m[2]) <= 23 && !Number.isNaN(Date.parse(value))) {
      return `${value.slice(0, 23)}Z`;
    }
  }
  return new Date(toEpochMs(value)).toISOString();
}

export function toBoolean(value: unknown): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const t = value.trim().toLowerCase();
    if (t === 'true') return true;
    if (t === 'false') return false;
  }
  return bad('true or false', value);
}
