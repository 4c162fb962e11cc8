import { csvText } from '../csv';
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
  return csvText(String(value));
}

/** Header row of `columns`, then one row per record (a missing field is an empty cell). */
export function toCsv(columns: readonly string[], rows: readonly Record<string, NativeValue>[]): string {
  const lines = [columns.map((c) => cell(c)).join(',')];
  for (const row of rows) lines.push(columns.map((c) => cell(row[c])).join(','));
  return `${lines.join('\n')}\n`;
}

export { parseCsv } from '../csv';
