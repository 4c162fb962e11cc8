import crypto from 'node:crypto';
import { Counter } from 'prom-client';
import { BadUserInputError } from '../errors';
import { type Logger } from '../logger';
import { metricsRegistry } from '../metrics';
import { type KeyRing } from '../security/credentials-cipher';
import { PositionCursorSeal } from '../security/position-cursor';
import { type AuditEventsRepository } from '../store/repositories/audit-events.repo';
import { type AuditEntry, type AuditEvent, type AuditFilter } from './audit.types';

/**
 * The audit log (docs/audit.md): records what callers changed and lists it back to the tenant.
 *
 * `record` never throws. It runs after the action, which has happened by then: failing the caller's
 * request would make them retry something that went through. A record the store refused is logged in
 * full (the log is the fallback) and counted in `cgw_audit_record_failures_total`, which an operator
 * alerts on.
 */

export const MAX_AUDIT_PAGE = 100;
export const MAX_AUDIT_CURSOR_CHARS = 512;
/** Longest `action` / id a filter takes: no action or id of ours is longer. */
const MAX_FILTER_CHARS = 200;

const recordFailures = new Counter({
  name: 'cgw_audit_record_failures_total',
  help: 'Audit events the store refused (each is logged at error level with the whole event instead).',
  registers: [metricsRegistry],
});

const FOREIGN =
  'after: this cursor does not belong to this audit log list — it was issued for another filter, was ' +
  'altered, or was sealed with a key this deployment no longer has; start again without after';

export interface AuditLog {
  record(entry: AuditEntry): Promise<void>;
  list(
    tenantId: string,
    filter: AuditFilter,
    first: number,
    after: string | null,
  ): Promise<{ nodes: AuditEvent[]; endCursor: string | null; hasNextPage: boolean }>;
}

export function createAuditLog(deps: {
  events: AuditEventsRepository;
  keyRing: KeyRing;
  logger: Pick<Logger, 'error'>;
  now?: () => Date;
}): AuditLog {
  const cursors = new PositionCursorSeal(deps.keyRing, {
    purpose: 'audit-cursor',
    format: 'a1',
    maxChars: MAX_AUDIT_CURSOR_CHARS,
    foreign: FOREIGN,
  });
  const now = deps.now ?? (() => new Date());
  const binding = (tenantId: string, f: AuditFilter) => [
    tenantId,
    f.action ?? null,
    f.connectionId ?? null,
    f.keyId ?? null,
    f.since ? f.since.getTime() : null,
  ];
  return {
    async record(entry) {
      const event: AuditEvent = {
        id: `aud_${crypto.randomBytes(12).toString('base64url')}`,
        at: now(),
        ...entry,
      };
      try {
        await deps.events.insert(event);
      } catch (err) {
        recordFailures.inc();
        deps.logger.error({ err, auditEvent: event }, 'audit event not stored');
      }
    },

    async list(tenantId, filter, first, after) {
      if (!Number.isInteger(first) || first < 1 || first > MAX_AUDIT_PAGE)
        throw new BadUserInputError(`first: expected 1–${MAX_AUDIT_PAGE}, got ${first}`);
      for (const name of ['action', 'connectionId', 'keyId'] as const) {
        const value = filter[name];
        if (value !== undefined && (value.length === 0 || value.length > MAX_FILTER_CHARS))
          throw new BadUserInputError(`filter.${name}: expected 1–${MAX_FILTER_CHARS} characters`);
      }
      if (filter.since !== undefined && Number.isNaN(filter.since.getTime()))
        throw new BadUserInputError('filter.since: expected a date-time');
      const position = after === null ? null : cursors.open(after, binding(tenantId, filter));
      const page = await deps.events.list(tenantId, filter, first, position);
      const last = page.nodes[page.nodes.length - 1];
      return {
        nodes: page.nodes,
        endCursor: last ? cursors.seal({ at: last.at, id: last.id }, binding(tenantId, filter)) : null,
        hasNextPage: page.hasNextPage,
      };
    },
  };
}
