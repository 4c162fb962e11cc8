import { type FastifyInstance } from 'fastify';
import { SfHttpError } from './errors';
import { callContext, sendJson } from './context';
import { objectFromPath } from './records';
import { SF_LIMITS } from './settings';
import { formatDateTime, parseDateTime } from './values';

const DAY = 86_400_000;
const MINUTE = 60_000;

function window(query: unknown, now: number): { start: number; end: number } {
  const { start, end } = (query ?? {}) as { start?: string; end?: string };
  if (!start || !end) {
    throw new SfHttpError(400, { errorCode: 'MISSING_ARGUMENT', message: 'start and end are required' });
  }
  const s = parseDateTime(start);
  const e = parseDateTime(end);
  if (Number.isNaN(s) || Number.isNaN(e)) {
    throw new SfHttpError(400, {
      errorCode: 'INVALID_PARAMETER_VALUE',
      message: `Invalid date/time format: ${Number.isNaN(s) ? start : end}`,
    });
  }
  // Replication ignores seconds: 12:30:15 is read as 12:30:00 (SOAP getUpdated/getDeleted docs).
  const startMin = Math.floor(s / MINUTE) * MINUTE;
  const endMin = Math.min(Math.floor(e / MINUTE) * MINUTE, Math.floor(now / MINUTE) * MINUTE);
  if (startMin >= Math.floor(e / MINUTE) * MINUTE) {
    throw new SfHttpError(400, {
      errorCode: 'INVALID_REPLICATION_DATE',
      message: 'startDate must chronologically precede endDate by more than one minute',
    });
  }
  return { start: startMin, end: endMin };
}

/** getUpdated (30-day window, by SystemModstamp) and getDeleted (15-day window), docs/vendors/salesforce.md "Replication (getUpdated and getDeleted)". */
export function registerReplicationRoutes(scope: FastifyInstance): void {
  scope.get('/sobjects/:type/updated', async (request, reply) => {
    const { org } = callContext(request);
    const obj = objectFromPath((request.params as { type: string }).type, org.state.store.schema);
    const now = org.now();
    const { start, end } = window(request.query, now);
    if (start < now - SF_LIMITS.updatedWindowDays * DAY) {
      // UNVERIFIED text; the 30-day limit is documented.
      throw new SfHttpError(400, {
        errorCode: 'INVALID_REPLICATION_DATE',
        message: `startDate cannot be more than ${SF_LIMITS.updatedWindowDays} days ago`,
      });
    }
    const ids: string[] = [];
    for (const rec of org.state.store.table(obj.name).values()) {
      const ts = rec.SystemModstamp as number;
      if (!rec.IsDeleted && ts >= start && ts < end) ids.push(rec.Id as string);
    }
    if (ids.length > SF_LIMITS.replicationMaxIds) {
      throw new SfHttpError(400, {
        errorCode: 'EXCEEDED_ID_LIMIT',
        message: `record limit reached. cannot submit more than ${SF_LIMITS.replicationMaxIds} records in this operation`,
      });
    }
    return sendJson(reply, 200, { ids, latestDateCovered: formatDateTime(end) });
  });

  scope.get('/sobjects/:type/deleted', async (request, reply) => {
    const { org } = callContext(request);
    const obj = objectFromPath((request.params as { type: string }).type, org.state.store.schema);
    const now = org.now();
    const { start, end } = window(request.query, now);
    const earliest = Math.floor((now - SF_LIMITS.deletedWindowDays * DAY) / MINUTE) * MINUTE;
    if (start < earliest) {
      throw new SfHttpError(400, {
        errorCode: 'INVALID_REPLICATION_DATE',
        message: `startDate cannot be more than ${SF_LIMITS.deletedWindowDays} days ago`,
      });
    }
    const deletedRecords = org.state.store.deleteLog
      .filter((d) => d.object === obj.name && d.deletedAt >= start && d.deletedAt < end)
      .filter((d) => org.state.store.get(obj.name, d.id)?.IsDeleted === true)
      .map((d) => ({ id: d.id, deletedDate: formatDateTime(d.deletedAt) }));
    return sendJson(reply, 200, {
      deletedRecords,
      earliestDateAvailable: formatDateTime(earliest),
      latestDateCovered: formatDateTime(end),
    });
  });
}
