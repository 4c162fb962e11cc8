// The unbound close actions (docs/vendors/dynamics.md "Opportunities"): `POST /WinOpportunity` and
// `POST /LoseOpportunity` with `{ Status, OpportunityClose: { "opportunityid@odata.bind": … } }`.
// They are the only way to win or lose an opportunity; the answer is 204.
import { type DvContext } from './context';
import { badRequest, DV_CODES, DvError, methodNotAllowed, notFound } from './errors';
import { updateRow } from './rows';
import { entityByLogicalName } from './schema';
import { noContent, type WebApiResponse } from './webapi-types';
import { parseEntityReference } from './write-values';

const ACTIONS: Record<string, { state: number; statuses: number[]; probability: number }> = {
  WinOpportunity: { state: 1, statuses: [3], probability: 100 },
  LoseOpportunity: { state: 2, statuses: [4, 5], probability: 0 },
};

export function isAction(name: string): boolean {
  return name in ACTIONS;
}

export function runAction(ctx: DvContext, name: string): WebApiResponse {
  const action = ACTIONS[name];
  if (!action) throw badRequest(`Unknown action ${name}.`);
  if (ctx.req.method !== 'POST') throw methodNotAllowed(`${name} is an action: call it with POST.`);
  const body = (ctx.req.body ?? {}) as { Status?: unknown; OpportunityClose?: Record<string, unknown> };
  const close = body.OpportunityClose;
  const bind = close?.['opportunityid@odata.bind'];
  const ref = typeof bind === 'string' ? parseEntityReference(bind) : undefined;
  if (!close || !ref || ref.set !== 'opportunities')
    throw badRequest(
      `${name} requires OpportunityClose with "opportunityid@odata.bind": "/opportunities(<id>)".`,
    );
  const status = body.Status ?? action.statuses[0];
  if (typeof status !== 'number' || !action.statuses.includes(status))
    throw badRequest(
      `${String(status)} is not a valid status code for ${name}; expected one of ${action.statuses.join(', ')}.`,
    );
  const entity = entityByLogicalName('opportunity')!;
  const record = ctx.store.get('opportunity', ref.id);
  if (!record) throw notFound('opportunity', ref.id);
  if (record.values.statecode !== 0)
    throw new DvError(
      400,
      DV_CODES.invalidStateChange,
      `The opportunity with Id = ${record.id} is already closed.`,
    );
  updateRow(
    ctx,
    entity,
    record,
    { statecode: action.state, statuscode: status, closeprobability: action.probability },
    true,
  );
  return noContent();
}
