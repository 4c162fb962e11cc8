import { type CrmObject } from '../../src/connectors/types';
import { type ConnectionView } from '../../src/store/repositories/connections.repo';
import { type ReadCrm, type ReadStack } from './read-stack';

/** Calls a sandbox's admin API (edits as a CRM user would make them) on the stack's default org. */
export async function sandboxAdmin(
  stack: ReadStack,
  crm: ReadCrm,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`${stack.sandboxes.sandboxes[crm]!.baseUrl}/__sandbox/orgs/default${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
}

/** Change events of a connection's records, by remote id: [kind, source] in order. */
export async function eventsByRecord(
  stack: ReadStack,
  connection: ConnectionView,
  object: CrmObject,
): Promise<Map<string, string[][]>> {
  const docs = await stack.ctx.store.conn
    .db!.collection('change_events')
    .find({ connectionId: connection.id, object, gap: { $ne: true } })
    .sort({ seq: 1 })
    .toArray();
  const out = new Map<string, string[][]>();
  for (const d of docs) {
    const id = String(d.remoteId);
    out.set(id, [...(out.get(id) ?? []), [String(d.kind), String(d.source)]]);
  }
  return out;
}
