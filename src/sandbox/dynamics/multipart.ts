// multipart/mixed bodies of `$batch` (docs/vendors/dynamics.md "$batch"): parts, their headers, and
// the `application/http` requests inside them; and the response text Dataverse writes back. Lenient
// about CRLF vs LF, strict about structure: a malformed body is a 400, never a crash.
import { badRequest } from './errors';

export interface MimePart {
  headers: Record<string, string>;
  content: string;
}

export interface HttpRequestPart {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const LINE = /\r?\n/;

export function boundaryOf(contentType: string | undefined): string | undefined {
  const m = /^multipart\/mixed\s*;(?:.*;)?\s*boundary=("?)([^";]+)\1/i.exec(contentType ?? '');
  return m ? m[2].trim() : undefined;
}

function splitHead(text: string): { headLines: string[]; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { headLines: text.split(LINE).filter(Boolean), rest: '' };
  return {
    headLines: text.slice(0, m.index).split(LINE).filter(Boolean),
    rest: text.slice(m.index + m[0].length),
  };
}

function headerMap(lines: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon < 1) throw badRequest(`Malformed header line in a batch part: '${line.slice(0, 200)}'.`);
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The parts between `--boundary` delimiters, up to the closing `--boundary--`. */
export function parseMultipart(body: string, boundary: string): MimePart[] {
  const delimiter = `--${boundary}`;
  const pieces = body.split(delimiter);
  if (pieces.length < 2) throw badRequest(`The batch body has no part delimited by '${delimiter}'.`);
  const parts: MimePart[] = [];
  let closed = false;
  for (const piece of pieces.slice(1)) {
    if (piece.startsWith('--')) {
      closed = true;
      break;
    }
    const text = piece.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n$/, '');
    const { headLines, rest } = splitHead(text);
    parts.push({ headers: headerMap(headLines), content: rest });
  }
  if (!closed) throw badRequest(`The batch body does not end with the closing delimiter '${delimiter}--'.`);
  return parts;
}

/** The HTTP request an `application/http` part carries. */
export function parseHttpPart(content: string): HttpRequestPart {
  const { headLines, rest } = splitHead(content.replace(/^(\r?\n)+/, ''));
  const [requestLine, ...headerLines] = headLines;
  const m = /^(GET|POST|PATCH|PUT|DELETE)\s+(.+?)(?:\s+HTTP\/1\.[01])?$/.exec(requestLine ?? '');
  if (!m)
    throw badRequest(
      `The batch part does not start with an HTTP request line: '${(requestLine ?? '').slice(0, 200)}'.`,
    );
  return { method: m[1], url: m[2], headers: headerMap(headerLines), body: rest.trim() };
}

const REASONS: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  412: 'Precondition Failed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

export interface PartResponse {
  status: number;
  headers: Record<string, string>;
  body?: string;
  contentId?: string;
}

function httpPart(response: PartResponse): string {
  const head = ['Content-Type: application/http', 'Content-Transfer-Encoding: binary'];
  if (response.contentId !== undefined) head.push(`Content-ID: ${response.contentId}`);
  const lines = [`HTTP/1.1 ${response.status} ${REASONS[response.status] ?? ''}`.trimEnd()];
  for (const [name, value] of Object.entries(response.headers)) lines.push(`${canonical(name)}: ${value}`);
  return `${head.join('\r\n')}\r\n\r\n${lines.join('\r\n')}\r\n\r\n${response.body ?? ''}\r\n`;
}

/** `odata-entityid` → `OData-EntityId`, as Dataverse writes header names. */
function canonical(name: string): string {
  if (name === 'odata-entityid') return 'OData-EntityId';
  if (name === 'odata-version') return 'OData-Version';
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => `${dash}${c.toUpperCase()}`);
}

/** One top-level item of the response: a single part, or a change set's parts. */
export type ResponseItem =
  { kind: 'single'; response: PartResponse } | { kind: 'changeset'; responses: PartResponse[] };

export function writeBatchResponse(boundary: string, items: ResponseItem[], newId: () => string): string {
  let out = '';
  for (const item of items) {
    out += `--${boundary}\r\n`;
    if (item.kind === 'single') {
      out += httpPart(item.response);
      continue;
    }
    const inner = `changesetresponse_${newId()}`;
    out += `Content-Type: multipart/mixed; boundary=${inner}\r\n\r\n`;
    for (const response of item.responses) out += `--${inner}\r\n${httpPart(response)}`;
    out += `--${inner}--\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}
