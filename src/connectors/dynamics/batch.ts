import crypto from 'node:crypto';
import { CrmUpstreamError } from '../../errors';
import { type HttpMethod } from '../http/vendor-client';
import { type DynamicsApi } from './api-context';
import { CRM } from './dynamics.constants';
import { ODATA_HEADERS, webApiPath, webApiRequest } from './webapi';

/**
 * `$batch` (docs/vendors/dynamics.md "$batch"): unrelated requests as top-level `application/http`
 * parts of one `multipart/mixed` body, sent with `Prefer: odata.continue-on-error` so one refused
 * record does not stop the others — never one change set, which would make unrelated records fail
 * together. The answer has one part per request, in order, each with its own status line, headers and
 * JSON body. A batch counts as one request against the service protection limits.
 */

export interface BatchRequest {
  method: HttpMethod;
  /** Relative to the service root, e.g. `contacts(<id>)`. */
  resource: string;
  headers?: Readonly<Record<string, string>>;
  json?: unknown;
}

export interface BatchResponsePart {
  status: number;
  headers: Record<string, string>;
  text: string;
  json: unknown;
}

/** The multipart body of `requests`, with its boundary. */
export function batchBody(requests: readonly BatchRequest[], boundary: string): string {
  let out = '';
  for (const r of requests) {
    const headers: Record<string, string> = {
      ...ODATA_HEADERS,
      ...(r.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...r.headers,
    };
    out += `--${boundary}\r\nContent-Type: application/http\r\nContent-Transfer-Encoding: binary\r\n\r\n`;
    out += `${r.method} /${webApiPath(r.resource)} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) out += `${name}: ${value}\r\n`;
    out += `\r\n${r.json !== undefined ? JSON.stringify(r.json) : ''}\r\n`;
  }
  return `${out}--${boundary}--\r\n`;
}

function boundaryOf(contentType: string | undefined): string | undefined {
  return /boundary=("?)([^";]+)\1/i.exec(contentType ?? '')?.[2]?.trim();
}

function splitHead(text: string): { head: string[]; rest: string } {
  const m = /\r?\n\r?\n/.exec(text);
  if (!m) return { head: text.split(/\r?\n/).filter(Boolean), rest: '' };
  return {
    head: text.slice(0, m.index).split(/\r?\n/).filter(Boolean),
    rest: text.slice(m.index + m[0].length),
  };
}

function headerMap(lines: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/** The parts between `--boundary` lines, without the closing delimiter. */
function mimeParts(body: string, boundary: string): string[] {
  const delimiter = `--${boundary}`;
  return body
    .split(new RegExp(`\\r?\\n?${delimiter.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?:--)?[ \\t]*\\r?\\n?`))
    .slice(1)
    .filter((p) => p.trim() !== '');
}

/**
 * The response parts of a `$batch` answer, in order; a change set's parts are flattened in place. A
 * body that is not the documented multipart answer is an UPSTREAM error naming what arrived.
 */
export function parseBatchResponse(contentType: string | undefined, body: string): BatchResponsePart[] {
  const boundary = boundaryOf(contentType);
  if (!boundary) {
    throw new CrmUpstreamError(
      `Dynamics 365 $batch answer is not multipart/mixed with a boundary (content-type ${JSON.stringify(contentType ?? null)})`,
      { crm: CRM },
    );
  }
  const out: BatchResponsePart[] = [];
  for (const part of mimeParts(body, boundary)) {
    const { head, rest } = splitHead(part);
    const partHeaders = headerMap(head);
    const inner = boundaryOf(partHeaders['content-type']);
    if (inner && /^multipart\/mixed/i.test(partHeaders['content-type'] ?? '')) {
      out.push(...parseBatchResponse(partHeaders['content-type'], rest));
      continue;
    }
    const http = splitHead(rest);
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(http.head[0] ?? '')?.[1]);
    if (!Number.isInteger(status)) {
      throw new CrmUpstreamError(
        `Dynamics 365 $batch answer part has no status line: ${JSON.stringify(rest.slice(0, 80))}`,
        { crm: CRM },
      );
    }
    const text = http.rest.trim();
    let json: unknown;
    try {
      json = text === '' ? null : (JSON.parse(text) as unknown);
    } catch {
      json = undefined;
    }
    out.push({ status, headers: headerMap(http.head.slice(1)), text, json });
  }
  return out;
}

/**
 * Sends `requests` as one `$batch` with continue-on-error; one part per request, in order. A POST and
 * not idempotent: a retried batch could create twice (creates that must be retry-safe upsert by key).
 */
export async function sendBatch(
  api: DynamicsApi,
  requests: readonly BatchRequest[],
): Promise<BatchResponsePart[]> {
  if (requests.length === 0) return [];
  const boundary = `batch_${crypto.randomUUID()}`;
  const res = await webApiRequest<unknown>(api, {
    method: 'POST',
    resource: '$batch',
    headers: { 'content-type': `multipart/mixed; boundary=${boundary}` },
    body: batchBody(requests, boundary),
    prefer: ['odata.continue-on-error'],
    idempotent: false,
  });
  const parts = parseBatchResponse(res.headers['content-type'], res.text);
  if (parts.length !== requests.length) {
    throw new CrmUpstreamError(
      `Dynamics 365 $batch answered ${parts.length} parts for ${requests.length} requests`,
      { crm: CRM, status: res.status },
    );
  }
  return parts;
}
