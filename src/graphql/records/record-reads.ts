import { type CrmObject } from '../../connectors/types';
import { BadUserInputError, NotFoundError } from '../../errors';
import { type CanonicalRecord } from '../../reads/canonical';
import { decodeRecordId } from '../../reads/ids';
import { listPage } from '../../reads/list';
import { listCursorSeal } from '../../reads/list-cursor';
import { type RequestContext } from '../request-context';
import { type RecordListArgs, MAX_REMOTE_IDS } from './list.args';
import { type RecordPageInfo } from './record-page.type';

/** What the Contact and Deal resolvers share: every read goes through the request's loaders. */

export async function recordById(
  ctx: RequestContext,
  object: CrmObject,
  id: string,
): Promise<CanonicalRecord> {
  const ref = decodeRecordId(id, object);
  const reader = await ctx.loaders.reads.reader(ref.connectionId);
  return reader.records(object).load(ref.remoteId);
}

/** One entry per remote id, in order; null where the CRM has no such record. */
export async function recordsByRemoteIds(
  ctx: RequestContext,
  object: CrmObject,
  connectionId: string,
  remoteIds: readonly string[],
): Promise<(CanonicalRecord | null)[]> {
  if (remoteIds.length > MAX_REMOTE_IDS) {
    throw new BadUserInputError(`remoteIds takes at most ${MAX_REMOTE_IDS} ids; got ${remoteIds.length}`);
  }
  const reader = await ctx.loaders.reads.reader(connectionId);
  const results = await reader.records(object).loadMany(remoteIds);
  return results.map((r) => {
    if (!(r instanceof Error)) return r;
    if (r instanceof NotFoundError) return null;
    throw r;
  });
}

export async function recordList<T>(
  ctx: RequestContext,
  object: CrmObject,
  args: RecordListArgs,
  convert: (r: CanonicalRecord) => T,
): Promise<{ edges: { cursor: string; node: T }[]; nodes: T[]; pageInfo: RecordPageInfo }> {
  const reader = await ctx.loaders.reads.reader(args.connectionId);
  const page = await listPage(reader, object, args, listCursorSeal(ctx.app.keyRing));
  // Cursors stay lazy (sealed only when selected): the edge keeps the page's getter.
  const edges = page.edges.map((e) => ({
    get cursor() {
      return e.cursor;
    },
    node: convert(e.node),
  }));
  return {
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Forward-only pagination: a page read from an `after` cursor has records before it.
      hasPreviousPage: args.after != null,
      startCursor: edges[0]?.cursor ?? null,
      endCursor: page.endCursor,
      filteredOut: page.filteredOut,
      scanLimitReached: page.scanLimitReached,
    },
  };
}

export async function associated(
  ctx: RequestContext,
  from: CrmObject,
  record: { connectionId: string; remoteId: string },
  to: CrmObject,
): Promise<CanonicalRecord[]> {
  const reader = await ctx.loaders.reads.reader(record.connectionId);
  return reader.associated(from, record.remoteId, to);
}
