import { useEffect, useState } from 'preact/hooks';
import {
  ConsoleCancelWriteDocument,
  ConsoleConnectionsDocument,
  ConsoleRetryWriteDocument,
  type ConsoleWriteFragment,
  ConsoleWriteOperationsDocument,
  ConsoleWriteUpdatesDocument,
  type WriteStatus,
} from '../generated/operations';
import { Badge, ErrorBox, Page, SkeletonRows, WriteButton } from '../components/ui';
import { time } from '../lib/format';
import { useAction, useLoad } from '../lib/hooks';
import { useSession } from '../lib/session-context';

const STATUSES: WriteStatus[] = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'DEAD', 'CANCELLED'];

/**
 * Write operations by status, live: writeOperationUpdated per connection (the API subscribes by
 * connection or by ids) patches the rows it knows and reloads when a new one appears. Retry a DEAD
 * (or retryable FAILED) one, cancel a QUEUED one.
 */
export function WritesPage() {
  const { api } = useSession();
  const [status, setStatus] = useState<WriteStatus | ''>('DEAD');
  const connections = useLoad(() => api.request(ConsoleConnectionsDocument, {}), [api]);
  const list = useLoad(
    () => api.request(ConsoleWriteOperationsDocument, { filter: status ? { status } : {} }),
    [api, status],
  );
  const [live, setLive] = useState<Map<string, ConsoleWriteFragment>>(new Map());
  const connectionIds = (connections.data?.connections ?? []).map((c) => c.id).join(',');
  useEffect(() => {
    setLive(new Map());
    if (!connectionIds) return;
    const stops = connectionIds.split(',').map((connectionId) =>
      api.subscribe(
        ConsoleWriteUpdatesDocument,
        { connectionId },
        {
          next: ({ writeOperationUpdated: w }) => setLive((m) => new Map(m).set(w.id, w)),
          error: () => undefined,
        },
      ),
    );
    return () => stops.forEach((stop) => stop());
  }, [api, connectionIds]);

  const rows = (list.data?.writeOperations.nodes ?? []).map((w) => live.get(w.id) ?? w);
  const known = new Set(rows.map((w) => w.id));
  // A live update of an operation this list does not show yet, now in the chosen status: reload.
  const arrived = [...live.values()].some((w) => !known.has(w.id) && (!status || w.status === status));
  const names = new Map((connections.data?.connections ?? []).map((c) => [c.id, c.displayName]));
  return (
    <Page
      title="Writes"
      actions={
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      <div class="filters" role="radiogroup" aria-label="Status">
        {(['', ...STATUSES] as const).map((s) => (
          <label key={s || 'all'} class="chip">
            <input type="radio" name="status" checked={status === s} onChange={() => setStatus(s)} />
            {s || 'All'}
          </label>
        ))}
      </div>
      {arrived && (
        <p class="muted" aria-live="polite">
          New operations arrived.{' '}
          <button type="button" class="link" onClick={list.reload}>
            Show them
          </button>
        </p>
      )}
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table class="writes">
          <caption class="sr-only">Write operations</caption>
          <thead>
            <tr>
              <th scope="col">Operation</th>
              <th scope="col">Connection</th>
              <th scope="col">Status</th>
              <th scope="col">Failure</th>
              <th scope="col">Accepted</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {!list.data ? (
              <SkeletonRows columns={6} />
            ) : rows.length === 0 ? (
              <tr>
                <td colSpan={6}>No {status ? status.toLowerCase() : ''} write operations.</td>
              </tr>
            ) : (
              rows.map((w) => (
                <WriteRow
                  key={w.id}
                  w={w}
                  connection={names.get(w.connectionId)}
                  onUpdate={(u) => setLive((m) => new Map(m).set(u.id, u))}
                />
              ))
            )}
          </tbody>
        </table>
      </div>
      {list.data?.writeOperations.pageInfo.hasNextPage && <p class="muted">Showing the first 50.</p>}
    </Page>
  );
}

function WriteRow(props: {
  w: ConsoleWriteFragment;
  connection?: string;
  onUpdate: (w: ConsoleWriteFragment) => void;
}) {
  const { w, connection } = props;
  const { api } = useSession();
  const action = useAction();
  const retryable = w.status === 'DEAD' || (w.status === 'FAILED' && w.failure?.retryable);
  return (
    <tr data-write-id={w.id} data-status={w.status}>
      <td>
        <span class="mono">{w.id}</span>
        <div class="muted">
          {w.kind} {w.object.toLowerCase()} · {w.attempts} attempt(s)
        </div>
      </td>
      <td>{connection ?? w.connectionId}</td>
      <td>
        <Badge value={w.status} />
      </td>
      <td>
        {w.failure && (
          <>
            <strong class="code">{w.failure.code}</strong> <span class="reason">{w.failure.message}</span>
          </>
        )}
      </td>
      <td>{time(w.acceptedAt)}</td>
      <td class="actions">
        {retryable && (
          <WriteButton
            busy={action.busy}
            label={`Retry ${w.id}`}
            onClick={() =>
              void action
                .run(() => api.request(ConsoleRetryWriteDocument, { id: w.id }))
                .then((r) => r && props.onUpdate(r.retryWriteOperation))
            }
          >
            Retry
          </WriteButton>
        )}
        {w.status === 'QUEUED' && (
          <WriteButton
            busy={action.busy}
            label={`Cancel ${w.id}`}
            onClick={() =>
              void action
                .run(() => api.request(ConsoleCancelWriteDocument, { id: w.id }))
                .then((r) => r && props.onUpdate(r.cancelWriteOperation))
            }
          >
            Cancel
          </WriteButton>
        )}
        <ErrorBox error={action.error} onDismiss={action.clear} />
      </td>
    </tr>
  );
}
