import { type Job } from 'bull';
import { type WriteOperationsRepository } from '../../store/repositories/write-operations.repo';

const DAY_MS = 86_400_000;

/**
 * Deletes finished write operations (SUCCEEDED, FAILED, DEAD, CANCELLED) that finished more than
 * `retentionDays` ago (WRITE_OPERATION_RETENTION_DAYS). Open operations are never pruned: they are in
 * the other collection (docs/writes.md "Finished operations").
 */
export function processWriteOperationPrune(
  operations: Pick<WriteOperationsRepository, 'pruneFinished'>,
  retentionDays: number,
  now: () => number = Date.now,
) {
  return async (_job?: Job): Promise<{ deleted: number }> => ({
    deleted: await operations.pruneFinished(new Date(now() - retentionDays * DAY_MS)),
  });
}
