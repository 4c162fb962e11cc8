import { type NativeValue } from '../types';

/**
 * The CSV Bulk API 2.0 speaks (RFC 4180, LF line endings, COMMA delimiter — what our jobs declare).
 * Small on purpose: one writer for uploads, one parser for result files.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** Bulk 2.0 reads this cell as "set the field to null"; an empty cell leaves the field unchanged. */
export const BULK_NULL = '#N/A';

function cell(value: NativeValue | undefined): string {
  if (value === undefined) return '';
  if (value === null) return BULK_NULL;
  if (typeof value === 'object') {
    throw new Error(
      `a Bulk API 2.0 cell cannot hold an object or array: ${JSON.stringify(value).slice(0, 80)}`,
    );
  }
  const text = String(value);
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Header row of `columns`, then one row per record (a missing field is an empty cell). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, NativeValue>[]): string {
  const lines = [columns.map((c) => cell(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

/**
 * Parses a CSV file with a header row into one object per row, keyed by header. It copies runs of
 * plain text by slice rather than one character at a time: an export reads millions of cells through
 * it (`export.ts`), and per-character concatenation made parsing, not the network, the slow part.
 */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const n = text.length;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  while (i < n) {
    if (quoted) {
      const q = text.indexOf('"', i);
      if (q === -1) {
        field += text.slice(i);
        break;
      }
      field += text.slice(i, q);
      if (text.charCodeAt(q + 1) === QUOTE) {
        field += '"';
        i = q + 2;
      } else {
        quoted = false;
        i = q + 1;
      }
      continue;
    }
    let j = i;
    while (j < n) {
      const c = text.charCodeAt(j);
      if (c === QUOTE || c === COMMA || c === LF || c === CR) break;
      j += 1;
    }
    field += text.slice(i, j);
    if (j >= n) break;
    const c = text.charCodeAt(j);
    if (c === QUOTE) quoted = true;
    else if (c === COMMA) endField();
    else {
      endField();
      rows.push(row);
      row = [];
      if (c === CR && text.charCodeAt(j + 1) === LF) j += 1;
    }
    i = j + 1;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, idx) => [h, r[idx] ?? ''])));
}
