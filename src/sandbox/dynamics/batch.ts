// `POST /api/data/v9.2/$batch` (docs/vendors/dynamics.md "$batch"): up to 1,000 requests in a
// multipart/mixed body; change sets run atomically (one failure rolls the set back and answers as its
// single error part); `Content-ID` references (`$1`) inside a change set; without
// `Prefer: odata.continue-on-error` the batch stops at the first failure.
import crypto from 'node:crypto';
import { API_PREFIX, MAX_BATCH_REQUESTS, SERVED_VERSIONS } from './constants';
import { badRequest, DvError } from './errors';
import {
  boundaryOf,
  parseHttpPart,
  parseMultipart,
  writeBatchResponse,
  type MimePart,
  type PartResponse,
  type ResponseItem,
} from './multipart';
import { type DynamicsOrg } from './state';
import { dispatch } from './webapi';
import { errorResponse, parsePrefer, type WebApiRequest, type WebApiResponse } from './webapi-types';

interface BatchCall {
  org: DynamicsOrg;
  userId: string;
  origin: string;
}

function partError(err: DvError, contentId?: string): PartResponse {
  return { ...toPart(errorResponse(err)), contentId };
}

function toPart(response: WebApiResponse): PartResponse {
  const body =
    response.body === undefined
      ? undefined
      : typeof response.body === 'string'
        ? response.body
        : JSON.stringify(response.body);
  return { status: response.status, headers: response.headers, body };
}

/**
 * Replaces a leading `$<Content-ID>` reference with the entity URL that part created. `$batch` and
 * other `$` segments that name no declared Content-ID stay as they are; an undeclared numeric one is
 * the documented error.
 */
function resolveReference(text: string, ids: Map<string, string>): string {
  const m = /^\$([\w-]+)(.*)$/s.exec(text);
  if (!m) return text;
  const url = ids.get(m[1]);
  if (url) return `${url}${m[2]}`;
  if (/^\d+$/.test(m[1]))
    throw badRequest(`Content-ID Reference: '$${m[1]}' does not exist in the batch context.`);
  return text;
}

/** The path after the service root, from an absolute, rooted or relative part URL. */
function servicePath(url: string): { path: string; query: string } {
  let rest = url;
  const at = rest.indexOf(`${API_PREFIX}/`);
  if (at >= 0) {
    rest = rest.slice(at + API_PREFIX.length + 1);
    const version = rest.split('/')[0];
    if (!SERVED_VERSIONS.includes(version))
      throw badRequest(`Unsupported API version in batch part URL '${url.slice(0, 200)}'.`);
    rest = rest.slice(version.length + 1);
  } else if (/^https?:\/\//.test(rest))
    throw badRequest(`The batch part URL '${url.slice(0, 200)}' is not a Web API URL.`);
  const q = rest.indexOf('?');
  return q < 0 ? { path: rest, query: '' } : { path: rest.slice(0, q), query: rest.slice(q + 1) };
}

export function parseQueryString(text: string): URLSearchParams {
  const params = new URLSearchParams();
  for (const pair of text.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw badRequest(`The query string is not correctly percent-encoded near '${s.slice(0, 100)}'.`);
      }
    };
    params.append(decode(eq < 0 ? pair : pair.slice(0, eq)), eq < 0 ? '' : decode(pair.slice(eq + 1)));
  }
  return params;
}

function runPart(
  call: BatchCall,
  part: MimePart,
  ids: Map<string, string>,
  inChangeSet: boolean,
): PartResponse {
  const contentId = part.headers['content-id'];
  try {
    const type = part.headers['content-type'] ?? '';
    if (!type.toLowerCase().startsWith('application/http'))
      throw badRequest(`A batch part must be 'application/http'; got '${type.slice(0, 100)}'.`);
    const http = parseHttpPart(part.content);
    if (inChangeSet && http.method === 'GET') throw badRequest('A change set may not contain GET requests.');
    const { path, query } = servicePath(resolveReference(http.url, ids));
    if (path === '$batch') throw badRequest('Batches cannot be nested.');
    let body: unknown = undefined;
    if (http.body !== '') {
      try {
        body = JSON.parse(http.body, (key, value: unknown) =>
          key.endsWith('@odata.bind') && typeof value === 'string' ? resolveReference(value, ids) : value,
        );
      } catch (err) {
        if (err instanceof DvError) throw err;
        throw badRequest(`The batch part's body is not valid JSON: ${(err as Error).message}`);
      }
    }
    const req: WebApiRequest = {
      method: http.method,
      path,
      query: parseQueryString(query),
      headers: http.headers,
      body,
      origin: call.origin,
    };
    const response = toPart(dispatch(call.org, call.userId, req));
    const created = response.headers['odata-entityid'];
    if (contentId !== undefined && created) ids.set(contentId, created);
    if (created && response.status === 204) response.headers = { ...response.headers, location: created };
    return { ...response, contentId };
  } catch (err) {
    if (err instanceof DvError) return partError(err, contentId);
    throw err;
  }
}

async function runChangeSet(call: BatchCall, part: MimePart): Promise<PartResponse[]> {
  const boundary = boundaryOf(part.headers['content-type']);
  if (!boundary) throw badRequest('A change set part must be multipart/mixed with a boundary.');
  const inner = parseMultipart(part.content, boundary);
  const ids = new Map<string, string>();
  const store = call.org.state.store;
  let failed: PartResponse | undefined;
  const responses = await store.atomically(async () => {
    const out: PartResponse[] = [];
    for (const p of inner) {
      const response = runPart(call, p, ids, true);
      if (response.status >= 400) {
        failed = response;
        store.rollbackOpenChangeSet();
        return out;
      }
      out.push(response);
    }
    return out;
  });
  return failed ? [failed] : responses;
}

function countRequests(parts: MimePart[]): number {
  let n = 0;
  for (const part of parts) {
    const boundary = boundaryOf(part.headers['content-type']);
    n += boundary ? parseMultipart(part.content, boundary).length : 1;
  }
  return n;
}

/** Runs a whole batch as `userId`; the answer is one multipart/mixed response. */
export async function runBatch(
  call: BatchCall,
  contentType: string | undefined,
  body: unknown,
  prefer: string | undefined,
): Promise<WebApiResponse> {
  try {
    const boundary = boundaryOf(contentType);
    if (!boundary || typeof body !== 'string')
      throw badRequest('The $batch request must be multipart/mixed with a boundary parameter.');
    const parts = parseMultipart(body, boundary);
    const total = countRequests(parts);
    if (total > MAX_BATCH_REQUESTS)
      throw badRequest(
        `The number of requests in the batch (${total}) exceeds the maximum of ${MAX_BATCH_REQUESTS}.`,
      );
    const continueOnError = parsePrefer(prefer).continueOnError;
    const items: ResponseItem[] = [];
    let stopped = false;
    for (const part of parts) {
      const isChangeSet = boundaryOf(part.headers['content-type']) !== undefined;
      const responses = isChangeSet
        ? await runChangeSet(call, part)
        : [runPart(call, part, new Map(), false)];
      items.push(isChangeSet ? { kind: 'changeset', responses } : { kind: 'single', response: responses[0] });
      if (!continueOnError && responses.some((r) => r.status >= 400)) {
        stopped = true;
        break;
      }
    }
    const responseBoundary = `batchresponse_${crypto.randomUUID()}`;
    const status = stopped ? call.org.state.settings.batchStopStatus : 200;
    return {
      status,
      headers: {
        'content-type': `multipart/mixed; boundary=${responseBoundary}`,
        'odata-version': '4.0',
        ...(continueOnError ? { 'preference-applied': 'odata.continue-on-error' } : {}),
      },
      body: writeBatchResponse(responseBoundary, items, () => crypto.randomUUID()),
    };
  } catch (err) {
    if (err instanceof DvError) return errorResponse(err);
    throw err;
  }
}
