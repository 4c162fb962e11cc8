// statecode / statuscode rules on writes (docs/vendors/dynamics.md "Opportunities"): a status must
// belong to its state; an opportunity is won or lost only through WinOpportunity / LoseOpportunity
// (a PATCH of statecode is refused), and a closed one is read-only until reopened.
import { DV_CODES, DvError } from './errors';
import { attributeOf, type EntityDef } from './schema';
import { type DvRecord } from './store';

const CLOSING_ACTION: Record<number, { label: string; action: string }> = {
  1: { label: 'Won', action: 'WinOpportunityRequest' },
  2: { label: 'Lost', action: 'LoseOpportunityRequest' },
};

/**
 * Completes and checks the state columns of a write. `viaAction` is set by the close actions, the one
 * path allowed to move an opportunity to Won or Lost.
 */
export function applyStateRules(
  entity: EntityDef,
  values: Record<string, unknown>,
  current: DvRecord | undefined,
  options: { viaAction?: boolean; closedReadOnly: boolean },
): void {
  const stateAttr = attributeOf(entity, 'statecode');
  const statusAttr = attributeOf(entity, 'statuscode');
  if (!stateAttr || !statusAttr) return;
  const currentState = (current?.values.statecode as number | undefined) ?? 0;
  const nextState = (values.statecode as number | undefined) ?? currentState;
  if (entity.logicalName === 'opportunity' && !options.viaAction) {
    const closing = CLOSING_ACTION[nextState];
    if (closing && values.statecode !== undefined)
      throw new DvError(
        400,
        DV_CODES.invalidStateChange,
        `This message can not be used to set the state of opportunity to ${closing.label}. In order to set state of opportunity to ${closing.label} use the ${closing.action} message instead.`,
      );
    if (current && currentState !== 0 && nextState !== 0 && options.closedReadOnly)
      throw new DvError(
        400,
        DV_CODES.invalidStateChange,
        `The opportunity with Id = ${current.id} is closed (${CLOSING_ACTION[currentState]?.label ?? currentState}) and cannot be updated. Reopen it by setting statecode to Open first.`,
      );
  }
  if (values.statecode !== undefined && values.statuscode === undefined) {
    values.statuscode = stateAttr.options?.find((o) => o.value === nextState)?.defaultStatus ?? null;
  }
  if (!current && values.statecode === undefined) {
    values.statecode = 0;
    if (values.statuscode === undefined) values.statuscode = stateAttr.options?.[0]?.defaultStatus ?? 1;
  }
  const status = values.statuscode;
  if (status !== undefined && status !== null) {
    const option = statusAttr.options?.find((o) => o.value === status);
    if (option?.state !== nextState) {
      const stateLabel = stateAttr.options?.find((o) => o.value === nextState)?.label ?? String(nextState);
      throw new DvError(
        400,
        DV_CODES.invalidArgument,
        `${String(status)} is not a valid status code for state code ${entity.displayName}State.${stateLabel}`,
      );
    }
  }
}
