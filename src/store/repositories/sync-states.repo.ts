import { type CrmObject } from '../../connectors/types';
import { type SyncStateModel } from '../models/sync-state.model';

/** The poller's document of one (connection, object): see src/store/models/sync-state.model.ts. */
export interface PollState {
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  /** Every change up to this vendor time is ingested; null before the first poll. */
  highWater: Date | null;
  /** The poll in progress (all null between polls): what a crashed poll resumes from. */
  pollSince: Date | null;
  pollCursor: string | null;
  pollMax: Date | null;
  pollStartedAt: Date | null;
  lastPollAt: Date | null;
  lastError: string | null;
  /** The reconcile request (src/sync/reconcile-requests.ts) this poll restarted its mark at; null: none. */
  restartedAt: Date | null;
  /**
   * Where the connector's change feed continues, for a feed kept by vendor position (a delta token:
   * `CrmConnector.startChanges`); null for feeds read by time. Opaque: a connector cursor.
   */
  feedPosition: string | null;
  /** The fence of the lock holder that wrote it (read only: writes take the writer's). */
  fence?: number;
}

export type BackfillMode = 'INITIAL' | 'RECONCILE';
export type BackfillRunState = 'RUNNING' | 'DONE' | 'FAILED';

/** The backfill's document of one (connection, object). */
export interface BackfillState {
  tenantId: string;
  connectionId: string;
  object: CrmObject;
  state: BackfillRunState;
  mode: BackfillMode;
  /** Records listed and ingested so far. */
  done: number;
  /** Records the listing holds, where the connector can count them. */
  total: number | null;
  /** Where the listing resumes; null before the first page and after the last. */
  cursor: string | null;
  startedAt: Date;
  finishedAt: Date | null;
  lastError: string | null;
  /** The fence of the lock holder that wrote it (read only: writes take the writer's). */
  fence?: number;
}

type Kind = 'poll' | 'backfill';

function stateId(connectionId: string, object: CrmObject, kind: Kind): string {
  return `${connectionId}:${object}:${kind}`;
}

/** Duplicate key: an upsert whose filter missed because a newer fence holds the document. */
const DUPLICATE_KEY = 11000;

/**
 * Sync states (`sync_states`). Every write is fenced: it applies only while the stored `fence` is not
 * newer than the writer's, so a lock holder that stalled past its lock's expiry writes nothing once
 * another holder has written (src/sync/poll/sync-lock.ts).
 */
export class SyncStatesRepository {
  constructor(private readonly states: SyncStateModel) {}

  async getPoll(connectionId: string, object: CrmObject): Promise<PollState | null> {
    const doc = await this.states.findById(stateId(connectionId, object, 'poll')).lean();
    return doc ? toPoll(doc) : null;
  }

  async getBackfill(connectionId: string, object: CrmObject): Promise<BackfillState | null> {
    const doc = await this.states.findById(stateId(connectionId, object, 'backfill')).lean();
    return doc && doc.state ? toBackfill(doc) : null;
  }

  /** Every state of one connection (status): one query. */
  async forConnection(connectionId: string): Promise<{ poll: PollState[]; backfill: BackfillState[] }> {
    const docs = await this.states.find({ connectionId }).lean();
    return {
      poll: docs.filter((d) => d.kind === 'poll').map(toPoll),
      backfill: docs.filter((d) => d.kind === 'backfill' && d.state).map(toBackfill),
    };
  }

  /**
   * When each connection's poller last wrote anything (the scheduler's due check), the earliest of its
   * objects': one query. A poll that failed counts too (it stored its error), so a failing connection
   * is retried once per poll interval, not on every schedule tick.
   */
  async lastPolls(): Promise<Map<string, Date | null>> {
    const docs = await this.states
      .find({ kind: 'poll' }, { connectionId: 1, updatedAt: 1 })
      .lean<{ connectionId: string; updatedAt?: Date | null }[]>();
    const out = new Map<string, Date | null>();
    for (const d of docs) {
      const seen = out.get(d.connectionId);
      const at = d.updatedAt ?? null;
      if (!out.has(d.connectionId) || !at || (seen && at < seen)) out.set(d.connectionId, at);
    }
    return out;
  }

  /** Connections with a backfill run RUNNING (the scheduler restarts one whose chunks stopped): one query. */
  async runningBackfills(): Promise<Set<string>> {
    const docs = await this.states
      .find({ kind: 'backfill', state: 'RUNNING' }, { connectionId: 1 })
      .lean<{ connectionId: string }[]>();
    return new Set(docs.map((d) => d.connectionId));
  }

  /** False when a newer lock holder has written the document since `fence` was taken. */
  putPoll(state: PollState, fence: number): Promise<boolean> {
    return this.put(stateId(state.connectionId, state.object, 'poll'), 'poll', state, fence);
  }

  putBackfill(state: BackfillState, fence: number): Promise<boolean> {
    return this.put(stateId(state.connectionId, state.object, 'backfill'), 'backfill', state, fence);
  }

  private async put(id: string, kind: Kind, state: object, fence: number): Promise<boolean> {
    try {
      await this.states.updateOne(
        { _id: id, fence: { $lte: fence } },
        { $set: { ...state, kind, fence } },
        { upsert: true },
      );
      return true;
    } catch (err) {
      if ((err as { code?: number }).code === DUPLICATE_KEY) return false;
      throw err;
    }
  }
}

type Doc = {
  tenantId: string;
  connectionId: string;
  object: string;
} & Partial<Record<string, unknown>>;

const dateOrNull = (v: unknown): Date | null => (v instanceof Date ? v : null);
const stringOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toPoll(d: Doc): PollState {
  return {
    tenantId: d.tenantId,
    connectionId: d.connectionId,
    object: d.object as CrmObject,
    highWater: dateOrNull(d.highWater),
    pollSince: dateOrNull(d.pollSince),
    pollCursor: stringOrNull(d.pollCursor),
    pollMax: dateOrNull(d.pollMax),
    pollStartedAt: dateOrNull(d.pollStartedAt),
    lastPollAt: dateOrNull(d.lastPollAt),
    lastError: stringOrNull(d.lastError),
    restartedAt: dateOrNull(d.restartedAt),
    feedPosition: stringOrNull(d.feedPosition),
    fence: typeof d.fence === 'number' ? d.fence : 0,
  };
}

function toBackfill(d: Doc): BackfillState {
  return {
    tenantId: d.tenantId,
    connectionId: d.connectionId,
    object: d.object as CrmObject,
    state: d.state as BackfillRunState,
    mode: (d.mode as BackfillMode | null) ?? 'INITIAL',
    done: typeof d.done === 'number' ? d.done : 0,
    total: typeof d.total === 'number' ? d.total : null,
    cursor: stringOrNull(d.cursor),
    startedAt: dateOrNull(d.startedAt) ?? new Date(0),
    finishedAt: dateOrNull(d.finishedAt),
    lastError: stringOrNull(d.lastError),
    fence: typeof d.fence === 'number' ? d.fence : 0,
  };
}
