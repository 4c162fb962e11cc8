/**
 * RFC 4180 CSV for the vendors' bulk files (bulk ingest and bulk write jobs): comma-delimited,
 * a header row, quoted fields that may hold commas, doubled quotes and line breaks.
 */

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;

/** One cell's text, quoted when it holds a quote, a comma, a line break or edge whitespace. */
export function csvText(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
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
