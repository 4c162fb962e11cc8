import { CrmValidationError } from '../errors';
import { type NativeRecord } from './types';

/**
 * What every connector's batch calls share: the refusal of a batch larger than the vendor's call takes
 * (a caller's bug: the framework sizes batches by the declaration), and the answer of a read by ids in
 * the order they were asked, null for each id the vendor did not return.
 */

export function assertBatchSize(crm: string, what: string, size: number, max: number): void {
  if (size > max) {
    throw new CrmValidationError(`${crm} ${what} takes at most ${max} per call; got ${size}`, { crm });
  }
}

export function inRequestedOrder(
  remoteIds: readonly string[],
  records: readonly NativeRecord[],
): (NativeRecord | null)[] {
  const byId = new Map(records.map((r) => [r.remoteId, r]));
  return remoteIds.map((id) => byId.get(id) ?? null);
}
