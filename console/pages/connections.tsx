import { useEffect, useRef, useState } from 'preact/hooks';
import {
  ConsoleConnectionEventsDocument,
  ConsoleConnectionsDocument,
  type ConsoleConnectionFragment,
  ConsoleDeleteConnectionDocument,
  ConsoleResyncDocument,
  ConsoleTriggerSyncDocument,
} from '../generated/operations';
import { BudgetBar, Badge, ErrorBox, Page, SkeletonRows, WriteButton } from '../components/ui';
import { ago, duration } from '../lib/format';
import { useAction, useLoad } from '../lib/hooks';
import { useSession } from '../lib/session-context';
import { ConnectForm, useOAuth } from './connect-form';

/**
 * Every connection at a glance, live: connectionEvents (created, deleted, status changes from any
 * process) reloads the list. Actions: connect, reconnect (OAuth), poll now, resync, delete.
 */
export function ConnectionsPage() {
  const { api } = useSession();
  const list = useLoad(() => api.request(ConsoleConnectionsDocument, {}), [api]);
  const [live, setLive] = useState(false);
  useEffect(
    () =>
      api.subscribe(
        ConsoleConnectionEventsDocument,
        {},
        { next: () => list.reload(), error: () => setLive(false) },
      ),
    [api],
  );
  useEffect(() => setLive(true), [api]);
  const connections = list.data?.connections ?? null;
  return (
    <Page
      title="Connections"
      actions={
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      }
    >
      <ConnectForm onConnected={list.reload} />
      <p class="muted" aria-live="polite">
        {connections ? `${connections.length} connection(s)` : 'Loading…'}
        {live ? ' · live' : ''}
      </p>
      <ErrorBox error={list.error} />
      <div class="table-wrap">
        <table class="connections">
          <caption class="sr-only">Connections</caption>
          <thead>
            <tr>
              <th scope="col">CRM / account</th>
              <th scope="col">Status</th>
              <th scope="col">Sync</th>
              <th scope="col">Last webhook</th>
              <th scope="col">Budgets</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {connections === null ? (
              <SkeletonRows columns={6} />
            ) : connections.length === 0 ? (
              <tr>
                <td colSpan={6}>No connections yet: connect a CRM below.</td>
              </tr>
            ) : (
              connections.map((c) => <ConnectionRow key={c.id} c={c} onChanged={list.reload} />)
            )}
          </tbody>
        </table>
      </div>
    </Page>
  );
}

function ConnectionRow({ c, onChanged }: { c: ConsoleConnectionFragment; onChanged: () => void }) {
  const { api } = useSession();
  const action = useAction();
  const oauth = useOAuth();
  const [confirming, setConfirming] = useState(false);
  const run = async (what: () => Promise<unknown>) => {
    if ((await action.run(what)) !== null) onChanged();
  };
  return (
    <>
      <tr data-connection={c.id} data-crm={c.crm} data-status={c.status}>
        <td>
          <a href={`#/connections/${encodeURIComponent(c.id)}`}>{c.displayName}</a>
          <div class="muted">
            {c.crm} · {c.externalAccountId ?? 'account unknown'}
          </div>
        </td>
        <td>
          <Badge value={c.status} />
          {c.statusReason && <div class="reason status-reason">{c.statusReason}</div>}
        </td>
        <td>
          <Badge value={c.sync.state} />
          <div class="muted">lag {duration(c.sync.lagMs)}</div>
          {c.sync.backfill.state !== 'DONE' && (
            <div class="muted">
              backfill {c.sync.backfill.done}
              {c.sync.backfill.total !== null && c.sync.backfill.total !== undefined
                ? ` / ${c.sync.backfill.total}`
                : ''}
            </div>
          )}
          {c.sync.lastError && <div class="reason">{c.sync.lastError}</div>}
        </td>
        <td>
          {ago(c.sync.webhooks.lastReceivedAt)}
          {c.sync.webhooks.rejected > 0 && <div class="reason">{c.sync.webhooks.rejected} rejected</div>}
        </td>
        <td class="budgets">
          {c.budgets.map((b) => (
            <BudgetBar key={b.name} {...b} />
          ))}
        </td>
        <td class="actions">
          {c.status === 'NEEDS_REAUTH' && (
            <WriteButton
              busy={oauth.busy}
              label={`Reconnect ${c.displayName}`}
              onClick={() => void oauth.start(c.crm, { connectionId: c.id })}
            >
              Reconnect
            </WriteButton>
          )}
          <WriteButton
            busy={action.busy}
            label={`Poll ${c.displayName} now`}
            onClick={() => void run(() => api.request(ConsoleTriggerSyncDocument, { id: c.id }))}
          >
            Sync now
          </WriteButton>
          <WriteButton
            busy={action.busy}
            label={`Resync ${c.displayName}`}
            onClick={() => void run(() => api.request(ConsoleResyncDocument, { id: c.id }))}
          >
            Resync
          </WriteButton>
          <WriteButton danger label={`Delete ${c.displayName}`} onClick={() => setConfirming(true)}>
            Delete
          </WriteButton>
        </td>
      </tr>
      {(confirming || action.error || oauth.error || oauth.waiting) && (
        <tr class="row-detail">
          <td colSpan={6}>
            {confirming && (
              <ConfirmDelete
                name={c.displayName}
                busy={action.busy}
                onConfirm={() =>
                  void run(() => api.request(ConsoleDeleteConnectionDocument, { id: c.id })).then(() =>
                    setConfirming(false),
                  )
                }
                onCancel={() => setConfirming(false)}
              />
            )}
            {oauth.waiting && (
              <p class="muted" aria-live="polite">
                Finish the authorization in the window that opened; this list updates when it is done.
              </p>
            )}
            <ErrorBox error={action.error ?? oauth.error} onDismiss={() => (action.clear(), oauth.clear())} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The delete confirmation: focus moves to it when it opens, and back is one Tab or Escape away. */
function ConfirmDelete(props: { name: string; busy: boolean; onConfirm: () => void; onCancel: () => void }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => box.current?.querySelector('button')?.focus(), []);
  return (
    <div
      ref={box}
      class="confirm"
      role="alertdialog"
      aria-label={`Delete ${props.name}?`}
      onKeyDown={(e) => e.key === 'Escape' && props.onCancel()}
    >
      <p>
        Delete <strong>{props.name}</strong>? Its tokens are revoked at the CRM and its sync stops; records in
        the CRM are untouched.
      </p>
      <WriteButton danger busy={props.busy} onClick={props.onConfirm}>
        Yes, delete
      </WriteButton>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}
