/** RFC 4180 CSV (parsing: `core/csv.ts`) with Bulk 2.0's delimiter and line-ending options (docs/vendors/salesforce.md "Bulk API 2.0"). */

export const DELIMITERS: Record<string, string> = {
  BACKQUOTE: '`',
  CARET: '^',
  COMMA: ',',
  PIPE: '|',
  SEMICOLON: ';',
  TAB: '\t',
};

export { csvLine, parseCsv } from '../core/csv';
