import { type WriteOperationEventPublisher, writeOperationEvent } from '../../events/write-operation-events';
import { type Logger } from '../../logger';
import { type Transition } from '../../store/repositories/write-batches.repo';
import { writeMetrics } from './write-metrics';

/**
 * Publishes one event per operation whose status changed (per tenant, one pipeline each) and counts
 * the final ones. Called after the store has the change: a subscriber that reads on the event sees it.
 * A publish that fails is logged, not thrown — the store is the record; subscribers re-read it.
 */
export async function publishTransitions(
  deps: { events: WriteOperationEventPublisher; logger: Logger },
  ops: readonly Transition[],
): Promise<void> {
  const byTenant = new Map<string, Transition[]>();
  for (const op of ops) {
    const list = byTenant.get(op.tenantId) ?? [];
    list.push(op);
    byTenant.set(op.tenantId, list);
    writeMetrics.finished(op.crm, op.status);
  }
  for (const [tenantId, list] of byTenant) {
    await deps.events
      .publishWriteOperationEvents(tenantId, list.map(writeOperationEvent))
      .catch((err: unknown) => deps.logger.warn({ err }, 'write-operation events not published'));
  }
}
