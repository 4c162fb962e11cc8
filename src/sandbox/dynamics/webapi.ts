// The Web API dispatcher: one function from a request to a response, used by the HTTP routes and by
// `$batch` parts alike, so a part behaves exactly as the same call made alone.
import { isAction, runAction } from './actions';
import { isFunction, runFunction } from './functions';
import { countRows, listRows } from './collection';
import { contextFor, type DvContext } from './context';
import { badRequest, DvError, methodNotAllowed, unknownResource } from './errors';
import { parseRowKey } from './keys';
import { metadataRequest } from './metadata';
import { columnRequest, createRow, deleteRow, patchRow, retrieveRow } from './rows';
import { entityBySetName, type EntityDef } from './schema';
import { type DynamicsOrg } from './state';
import { errorResponse, type WebApiRequest, type WebApiResponse } from './webapi-types';

/** Splits a path on the slashes outside parentheses and quotes, then decodes each segment. */
export function pathSegments(path: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  const decoded = path.replace(/%27/gi, "'").replace(/%28/gi, '(').replace(/%29/gi, ')');
  for (const ch of decoded) {
    if (ch === "'") quoted = !quoted;
    else if (!quoted && ch === '(') depth++;
    else if (!quoted && ch === ')') depth--;
    if (ch === '/' && depth === 0 && !quoted) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw badRequest(`The URL segment '${s.slice(0, 200)}' is not correctly percent-encoded.`);
      }
    });
}

function unsupportedMethod(method: string, what: string): DvError {
  return methodNotAllowed(`The requested resource does not support http method '${method}' on ${what}.`);
}

function rowRequest(ctx: DvContext, entity: EntityDef, keyText: string, rest: string[]): WebApiResponse {
  const key = parseRowKey(entity, keyText);
  if (rest.length === 1) return columnRequest(ctx, entity, key, rest[0]);
  if (rest.length > 1) throw unknownResource(rest.join('/'));
  switch (ctx.req.method) {
    case 'GET':
      return retrieveRow(ctx, entity, key);
    case 'PATCH':
      return patchRow(ctx, entity, key);
    case 'DELETE':
      return deleteRow(ctx, entity, key);
    default:
      throw unsupportedMethod(ctx.req.method, 'a single row');
  }
}

function route(ctx: DvContext): WebApiResponse {
  const segments = pathSegments(ctx.req.path);
  const [first, ...rest] = segments;
  if (!first) throw unknownResource('');
  if (first === 'EntityDefinitions' || first.startsWith('EntityDefinitions('))
    return metadataRequest(ctx, segments);
  if (isAction(first)) return runAction(ctx, first);
  if (rest.length === 0 && isFunction(first)) return runFunction(ctx, first);
  const m = /^([A-Za-z_]+)(?:\((.*)\))?$/s.exec(first);
  const entity = m ? entityBySetName(m[1]) : undefined;
  if (!m || !entity) throw unknownResource(first);
  if (m[2] !== undefined) return rowRequest(ctx, entity, m[2], rest);
  if (rest.length === 1 && rest[0] === '$count' && ctx.req.method === 'GET') return countRows(ctx, entity);
  if (rest.length > 0) throw unknownResource(segments.join('/'));
  if (ctx.req.method === 'GET') return listRows(ctx, entity);
  if (ctx.req.method === 'POST') return createRow(ctx, entity);
  throw unsupportedMethod(ctx.req.method, 'a collection');
}

/** Answers one Web API request as `userId`; a DvError becomes its documented error response. */
export function dispatch(org: DynamicsOrg, userId: string, req: WebApiRequest): WebApiResponse {
  try {
    return route(contextFor(org, userId, req));
  } catch (err) {
    if (err instanceof DvError) return errorResponse(err);
    throw err;
  }
}
