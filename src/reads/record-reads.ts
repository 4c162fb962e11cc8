import { type CrmObject } from '../connectors/types';
import { NotFoundError } from '../errors';
import { type CanonicalRecord } from './canonical';
import { decodeRecordId } from './ids';
import { type ListedPage, type ListFilter, listPage } from './list';
import { type ListCursorSeal } from './list-cursor';
import { type ReadLoaders } from './read-loaders';

/** The reads the API offers, each through the request's loaders: by id, by remote ids, lists, associations. */

export async function recordById(
  reads: ReadLoaders,
  object: CrmObject,
  id: string,
): Promise<CanonicalRecord> {
  const ref = decodeRecordId(id, object);
  const reader = await reads.reader(ref.connectionId);
  return reader.loaders.records(object).load(ref.remoteId);
}

/** One entry per remote id, in order; null where the CRM has no such record. */
export async function recordsByRemoteIds(
  reads: ReadLoaders,
  object: CrmObject,
  connectionId: string,
  remoteIds: readonly string[],
): Promise<(CanonicalRecord | null)[]> {
  const reader = await reads.reader(connectionId);
  const results = await reader.loaders.records(object).loadMany(remoteIds);
  return results.map((r) => {
    if (!(r instanceof Error)) return r;
    if (r instanceof NotFoundError) return null;
    throw r;
  });
}

/** One page of a connection's records (`list.ts`). */
export async function recordPage(
  reads: ReadLoaders,
  object: CrmObject,
  args: { connectionId: string; first: number; after?: string | null; filter?: ListFilter | null },
  seal: ListCursorSeal,
): Promise<ListedPage> {
  const reader = await reads.reader(args.connectionId);
  return listPage(reader, object, args, seal);
}

export async function associatedRecords(
  reads: ReadLoaders,
  from: CrmObject,
  record: { connectionId: string; remoteId: string },
  to: CrmObject,
): Promise<CanonicalRecord[]> {
  const reader = await reads.reader(record.connectionId);
  return reader.loaders.associated(from, record.remoteId, to);
}
