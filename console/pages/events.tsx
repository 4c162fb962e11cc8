import { useEffect, useRef, useState } from 'preact/hooks';
import {
  type ChangeKind,
  ConsoleConnectionsDocument,
  type ConsoleChangeEventFragment,
  ConsoleSyncEventsDocument,
  type CrmObject,
} from '../generated/operations';
import { Badge, ConnectionSelect, ErrorBox, Page } from '../components/ui';
import { type GatewayError } from '../lib/api';
import { time } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { savedCursor, saveCursor } from '../lib/session';
import { useSession } from '../lib/session-context';
import { FieldDiff } from './field-diff';

const KINDS: ChangeKind[] = ['CREATED', 'UPDATED', 'DELETED', 'RESTORED', 'CONFLICT'];
const MAX_SHOWN = 200;

/**
 * The syncEvents subscription as a feed. The last cursor received is kept in sessionStorage: after a
 * reload (or resume) the subscription starts after it, so nothing is missed and nothing repeats.
 * Pausing ends the subscription; resuming starts it again from the cursor. Changing a filter starts a
 * new subscription from the cursor too (events that do not match are not replayed later).
 */
export function EventsPage() {
  const { api } = useSession();
  const connections = useLoad(() => api.request(ConsoleConnectionsDocument, {}), [api]);
  const [connectionId, setConnectionId] = useState('');
  const [object, setObject] = useState<CrmObject | ''>('');
  const [kind, setKind] = useState<ChangeKind | ''>('');
  const [paused, setPaused] = useState(false);
  const [events, setEvents] = useState<ConsoleChangeEventFragment[]>([]);
  const [error, setError] = useState<GatewayError | null>(null);
  const [open, setOpen] = useState<Set<string>>(new Set());
  const seen = useRef(new Set<string>());

  useEffect(() => {
    if (paused) return;
    setError(null);
    const filter = {
      ...(connectionId ? { connectionIds: [connectionId] } : {}),
      ...(object ? { objects: [object] } : {}),
      ...(kind ? { types: [kind] } : {}),
    };
    return api.subscribe(
      ConsoleSyncEventsDocument,
      { after: savedCursor(), filter },
      {
        next: ({ syncEvents: e }) => {
          saveCursor(e.cursor);
          if (seen.current.has(e.id)) return;
          seen.current.add(e.id);
          setEvents((list) => [e, ...list].slice(0, MAX_SHOWN));
        },
        error: setError,
      },
    );
  }, [api, paused, connectionId, object, kind]);

  const names = new Map((connections.data?.connections ?? []).map((c) => [c.id, c.displayName]));
  const toggle = (id: string) => {
    const next = new Set(open);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setOpen(next);
  };
  return (
    <Page
      title="Live events"
      actions={
        <button type="button" aria-pressed={paused} onClick={() => setPaused(!paused)}>
          {paused ? 'Resume' : 'Pause'}
        </button>
      }
    >
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <ConnectionSelect
          all
          connections={connections.data?.connections ?? []}
          value={connectionId}
          onChange={setConnectionId}
        />
        <label>
          Object
          <select
            value={object}
            onChange={(e) => setObject((e.target as HTMLSelectElement).value as CrmObject)}
          >
            <option value="">All</option>
            <option value="CONTACT">Contacts</option>
            <option value="DEAL">Deals</option>
          </select>
        </label>
        <label>
          Type
          <select value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value as ChangeKind)}>
            <option value="">All</option>
            {KINDS.map((k) => (
              <option key={k} value={k}>
                {k}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          onClick={() => {
            setEvents([]);
            seen.current.clear();
          }}
        >
          Clear
        </button>
      </form>
      <p class="muted" aria-live="polite">
        {paused ? 'Paused: resume to receive what happened meanwhile.' : 'Live'} · {events.length} shown
      </p>
      <ErrorBox error={error} />
      <ol class="feed" aria-label="Events, newest first">
        {events.length === 0 && (
          <li class="empty">No events yet: changes in a CRM appear here as they sync.</li>
        )}
        {events.map((e) => (
          <li key={e.id} class="event" data-remote-id={e.remoteId} data-kind={e.kind}>
            <button
              type="button"
              class="event-head"
              aria-expanded={open.has(e.id)}
              onClick={() => toggle(e.id)}
            >
              <Badge value={e.kind} /> <span>{e.object.toLowerCase()}</span>{' '}
              <span class="mono">{e.remoteId}</span> <span class="muted">via {e.source}</span>{' '}
              <span class="muted">{names.get(e.connectionId) ?? e.connectionId}</span>{' '}
              <span class="muted">{time(e.occurredAt)}</span>{' '}
              <span class="muted">{e.changes.length} field(s)</span>
            </button>
            {open.has(e.id) && <FieldDiff changes={e.changes} />}
          </li>
        ))}
      </ol>
    </Page>
  );
}
