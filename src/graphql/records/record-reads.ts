import { type CrmObject } from '../../connectors/types';
import { BadUserInputError } from '../../errors';
import { type CanonicalRecord } from '../../reads/canonical';
import { listCursorSeal } from '../../reads/list-cursor';
import * as reads from '../../reads/record-reads';
import { assertObject } from '../auth/token-access';
import { type RequestContext } from '../request-context';
import { type RecordListArgs, MAX_REMOTE_IDS } from './list.args';
import { type RecordPageInfo } from './record-page.type';

/** What the Contact and Deal resolvers share: the request's reads (`src/reads/`) in GraphQL shapes. */

/*
 * Each read first checks that the caller may reach `object` (an access token lists its objects); the
 * connection is checked by the request's connection loader every read goes through.
 */

export async function recordById(
  ctx: RequestContext,
  object: CrmObject,
  id: string,
): Promise<CanonicalRecord> {
  assertObject(ctx.auth, object);
  return reads.recordById(ctx.loaders.reads, object, id);
}

/** One entry per remote id, in order; null where the CRM has no such record. */
export async function recordsByRemoteIds(
  ctx: RequestContext,
  object: CrmObject,
  connectionId: string,
  remoteIds: readonly string[],
): Promise<(CanonicalRecord | null)[]> {
  assertObject(ctx.auth, object);
  if (remoteIds.length > MAX_REMOTE_IDS) {
    throw new BadUserInputError(`remoteIds takes at most ${MAX_REMOTE_IDS} ids; got ${remoteIds.length}`);
  }
  return reads.recordsByRemoteIds(ctx.loaders.reads, object, connectionId, remoteIds);
}

export async function recordList<T>(
  ctx: RequestContext,
  object: CrmObject,
  args: RecordListArgs,
  convert: (r: CanonicalRecord) => T,
): Promise<{ edges: { cursor: string; node: T }[]; nodes: T[]; pageInfo: RecordPageInfo }> {
  assertObject(ctx.auth, object);
  const page = await reads.recordPage(ctx.loaders.reads, object, args, listCursorSeal(ctx.app.keyRing));
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
    // Its cursors stay lazy too: a query that selects pageInfo without them seals nothing.
    pageInfo: {
      hasNextPage: page.hasNextPage,
      // Forward-only pagination: a page read from an `after` cursor has records before it.
      hasPreviousPage: args.after != null,
      get startCursor() {
        return edges[0]?.cursor ?? null;
      },
      get endCursor() {
        return page.endCursor;
      },
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
  assertObject(ctx.auth, to);
  return reads.associatedRecords(ctx.loaders.reads, from, record, to);
}
