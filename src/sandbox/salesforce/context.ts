import { type FastifyReply, type FastifyRequest } from 'fastify';
import { type SandboxOrg, type SandboxServer } from '../core';
import { JSON_TYPE, SfHttpError } from './errors';
import { type SfOrgState } from './state';

export type SfServer = SandboxServer<SfOrgState>;
export type SfOrg = SandboxOrg<SfOrgState>;

/** What a data-API handler knows about its caller, set by the guard in `api.ts`. */
export interface CallContext {
  org: SfOrg;
  /** `v62.0` as it appeared in the URL. */
  version: string;
  /** 62 */
  versionNumber: number;
  userId: string;
}

const contexts = new WeakMap<FastifyRequest, CallContext>();

export function setCallContext(request: FastifyRequest, ctx: CallContext): void {
  contexts.set(request, ctx);
}

export function callContext(request: FastifyRequest): CallContext {
  const ctx = contexts.get(request);
  if (!ctx)
    throw new SfHttpError(401, { errorCode: 'INVALID_SESSION_ID', message: 'Session expired or invalid' });
  return ctx;
}

/** The instance URL clients must use: the host they reached us on (Salesforce returns its own). */
export function instanceUrl(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply.code(status).type(JSON_TYPE).send(JSON.stringify(body));
}

export function bearer(request: FastifyRequest): string | undefined {
  const auth = request.headers.authorization;
  if (auth && /^(Bearer|OAuth) /i.test(auth)) return auth.slice(auth.indexOf(' ') + 1).trim();
  return undefined;
}

/** Finds the org whose connected app has this client id. */
export function orgByClientId(server: SfServer, clientId: unknown): SfOrg | undefined {
  if (typeof clientId !== 'string') return undefined;
  for (const org of server.orgs.values()) if (org.state.clientId === clientId) return org;
  return undefined;
}
