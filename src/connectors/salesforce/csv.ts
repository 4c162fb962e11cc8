import { type NativeValue } from '../types';

/**
 * The CSV Bulk API 2.0 speaks (RFC 4180, LF line endings, COMMA delimiter — what our jobs declare).
 * Small on purpose: one writer for uploads, one parser for result files.
 */

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

/** Parses a CSV file with a header row into one object per row, keyed by header. */
export function parseCsv(text: string): Record<string, string>[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = 0;
  const endField = (): void => {
    row.push(field);
    field = '';
  };
  while (i < text.length) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (ch === '"') quoted = false;
      else field += ch;
      i += 1;
      continue;
    }
    if (ch === '"') quoted = true;
    else if (ch === ',') endField();
    else if (ch === '\n' || ch === '\r') {
      endField();
      rows.push(row);
      row = [];
      if (ch === '\r' && text[i + 1] === '\n') i += 1;
    } else field += ch;
    i += 1;
  }
  if (field !== '' || row.length > 0) {
    endField();
    rows.push(row);
  }
  const [header, ...body] = rows.filter((r) => !(r.length === 1 && r[0] === ''));
  if (!header) return [];
  return body.map((r) => Object.fromEntries(header.map((h, idx) => [h, r[idx] ?? ''])));
}
