// Unbound functions the connector calls (docs/vendors/dynamics.md "WhoAmI"): `GET /WhoAmI` answers who
// the caller is — its systemuserid, business unit and organization — which the connector stores as the
// connection's account (the organization id every webhook delivery names).
import { type DvContext } from './context';
import { methodNotAllowed } from './errors';
import { json, type WebApiResponse } from './webapi-types';

const FUNCTIONS: Record<string, (ctx: DvContext) => WebApiResponse> = {
  WhoAmI: (ctx) =>
    json(200, {
      '@odata.context': `${ctx.root}$metadata#Microsoft.Dynamics.CRM.WhoAmIResponse`,
      BusinessUnitId: ctx.org.state.businessUnitId,
      UserId: ctx.userId,
      OrganizationId: ctx.org.state.organizationId,
    }),
};

/** `WhoAmI` and `WhoAmI()` both name the function. */
function functionName(segment: string): string {
  return segment.replace(/\(\)$/, '');
}

export function isFunction(segment: string): boolean {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, functionName(segment));
}

export function runFunction(ctx: DvContext, segment: string): WebApiResponse {
  const name = functionName(segment);
  if (ctx.req.method !== 'GET') throw methodNotAllowed(`${name} is a function: call it with GET.`);
  return FUNCTIONS[name]!(ctx);
}
