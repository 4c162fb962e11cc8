import { type FastifyInstance } from 'fastify';
import { SfHttpError } from './errors';
import { callContext, sendJson, type SfServer } from './context';
import { objectBody } from './records';
import { SF_LIMITS } from './settings';

interface SubRequest {
  method: string;
  url: string;
  referenceId: string;
  body?: unknown;
  httpHeaders?: Record<string, string>;
}

interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const HALTED = [
  {
    errorCode: 'PROCESSING_HALTED',
    message: 'The transaction was rolled back since another operation in the same transaction failed.',
  },
];
const REF_RE = /@\{([A-Za-z0-9_]+)\.([^}]+)\}/g;

/** `records[0].Id` style paths into an earlier subrequest's body. */
function lookup(body: unknown, path: string): unknown {
  let cur: unknown = body;
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m || cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[m[1] as string];
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[Number(idx[1])];
    }
  }
  return cur;
}

class UnresolvedReference extends Error {}

function resolveRefs(text: string, done: Map<string, SubResponse>): string {
  return text.replace(REF_RE, (_all, ref: string, path: string) => {
    const prior = done.get(ref);
    const value = prior && prior.httpStatusCode < 400 ? lookup(prior.body, path) : undefined;
    if (value === undefined || value === null || typeof value === 'object')
      throw new UnresolvedReference(`${ref}.${path}`);
    return String(value);
  });
}

function isBulky(sub: SubRequest): boolean {
  return /\/composite\/sobjects|\/query(All)?[/?]/.test(sub.url);
}

/**
 * Composite (docs/vendors/salesforce.md "Composite"): ≤25 subrequests (≤5 collections or queries), `@{ref.path}` references, always
 * 200 at the top, allOrNone rollback with PROCESSING_HALTED for the rest. Subrequests replay through
 * the same routes in-process, so they count as one API call and see the same validation.
 */
export function registerCompositeRoutes(scope: FastifyInstance, server: SfServer): void {
  scope.post('/composite', async (request, reply) => {
    const { org, version } = callContext(request);
    const body = objectBody(request.body);
    const subs = body.compositeRequest;
    if (!Array.isArray(subs) || subs.length === 0)
      throw new SfHttpError(400, { errorCode: 'JSON_PARSER_ERROR', message: 'compositeRequest is required' });
    if (subs.length > SF_LIMITS.compositeSubrequests) {
      throw new SfHttpError(400, {
        errorCode: 'INVALID_API_INPUT',
        message: `Composite requests cannot have more than ${SF_LIMITS.compositeSubrequests} subrequests`,
      });
    }
    const list = subs as SubRequest[];
    if (list.filter(isBulky).length > SF_LIMITS.compositeCollectionsOrQueries) {
      throw new SfHttpError(400, {
        errorCode: 'INVALID_API_INPUT',
        message: `Composite requests cannot have more than ${SF_LIMITS.compositeCollectionsOrQueries} sObject Collections or query operations`,
      });
    }
    for (const s of list) {
      if (typeof s?.url !== 'string' || typeof s.method !== 'string' || typeof s.referenceId !== 'string') {
        throw new SfHttpError(400, {
          errorCode: 'JSON_PARSER_ERROR',
          message: 'Each subrequest needs method, url and referenceId',
        });
      }
    }
    const allOrNone = body.allOrNone === true;
    const store = org.state.store;
    const mark = store.begin();
    const done = new Map<string, SubResponse>();
    const out: SubResponse[] = [];
    let failed = false;
    for (const sub of list) {
      if (failed && allOrNone) {
        out.push({ body: HALTED, httpHeaders: {}, httpStatusCode: 400, referenceId: sub.referenceId });
        continue;
      }
      let url: string;
      let payload: string | undefined;
      try {
        url = resolveRefs(sub.url, done);
        payload = sub.body === undefined ? undefined : resolveRefs(JSON.stringify(sub.body), done);
      } catch (err) {
        if (!(err instanceof UnresolvedReference)) throw err;
        const res = {
          body: [
            {
              errorCode: 'PROCESSING_HALTED',
              message: `Invalid reference specified. No value for ${err.message} found.`,
            },
          ],
          httpHeaders: {},
          httpStatusCode: 400,
          referenceId: sub.referenceId,
        };
        out.push(res);
        done.set(sub.referenceId, res);
        failed = true;
        continue;
      }
      if (!url.startsWith(`/services/data/${version}/`) && !url.startsWith('/services/data/v')) {
        url = `/services/data/${version}${url.startsWith('/') ? '' : '/'}${url}`;
      }
      const res = await server.injectInternal({
        method: sub.method.toUpperCase(),
        url,
        headers: {
          authorization: request.headers.authorization ?? '',
          ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(payload !== undefined ? { payload } : {}),
      });
      const text = res.body;
      const parsed: unknown = text === '' ? null : safeJson(text);
      const headers: Record<string, string> = {};
      if (res.statusCode === 201 && parsed && typeof parsed === 'object' && 'id' in parsed) {
        const type = /\/sobjects\/([^/?]+)/.exec(url)?.[1];
        if (type)
          headers.Location = `/services/data/${version}/sobjects/${type}/${String((parsed as { id: unknown }).id)}`;
      }
      const entry = {
        body: parsed,
        httpHeaders: headers,
        httpStatusCode: res.statusCode,
        referenceId: sub.referenceId,
      };
      out.push(entry);
      done.set(sub.referenceId, entry);
      if (res.statusCode >= 400) failed = true;
    }
    if (failed && allOrNone) {
      store.rollback(mark);
      for (const entry of out)
        if (entry.httpStatusCode < 400)
          Object.assign(entry, { body: HALTED, httpHeaders: {}, httpStatusCode: 400 });
    } else {
      store.commit();
    }
    return sendJson(reply, 200, { compositeResponse: out });
  });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
