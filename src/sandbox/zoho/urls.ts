// The sandbox's hosts per data centre (docs/vendors/zoho.md "Data centres"): one origin, a path
// prefix per DC — `{origin}/dc/<dc>/accounts`, `{origin}/dc/<dc>/api`, `{origin}/dc/<dc>/content`.
import { type FastifyRequest } from 'fastify';
import { DC_PREFIX, type DcId } from './constants';

export function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? '127.0.0.1'}`;
}

/** `{origin}/dc/<dc>`: the root every host of one DC hangs off. */
export function dcBase(request: FastifyRequest, dc: DcId): string {
  return `${originOf(request)}${DC_PREFIX}/${dc}`;
}
