import { useState } from 'preact/hooks';
import { type AuditEventFilter, ConsoleAuditEventsDocument } from '../generated/operations';
import { Badge, ErrorBox, Page, Pager, SkeletonRows, usePages } from '../components/ui';
import { time } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { useSession } from '../lib/session-context';

/** auditEvents with its filters, newest first, forward paging. */
export function AuditPage() {
  const { api } = useSession();
  const [draft, setDraft] = useState({ action: '', connectionId: '', keyId: '', since: '' });
  const [filter, setFilter] = useState<AuditEventFilter>({});
  const pages = usePages();
  const after = pages.after;
  const page = useLoad(
    () => api.request(ConsoleAuditEventsDocument, { filter, after }),
    [api, filter, after],
  );
  const field = (name: keyof typeof draft, label: string, type = 'text') => (
    <label>
      {label}
      <input
        type={type}
        value={draft[name]}
        onInput={(e) => setDraft({ ...draft, [name]: (e.target as HTMLInputElement).value })}
      />
    </label>
  );
  const info = page.data?.auditEvents.pageInfo;
  return (
    <Page title="Audit log">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          const f: AuditEventFilter = {};
          if (draft.action) f.action = draft.action.trim();
          if (draft.connectionId) f.connectionId = draft.connectionId.trim();
          if (draft.keyId) f.keyId = draft.keyId.trim();
          if (draft.since) f.since = new Date(draft.since).toISOString();
          setFilter(f);
          pages.reset();
        }}
      >
        {field('action', 'Action')}
        {field('connectionId', 'Connection id')}
        {field('keyId', 'Key id')}
        {field('since', 'Since', 'datetime-local')}
        <button type="submit">Apply</button>
      </form>
      <ErrorBox error={page.error} />
      {/* Above the rows: a page that arrives longer or shorter moves nothing below it. */}
      <Pager pages={pages} pageInfo={info} />
      <div class="table-wrap">
        <table class="audit">
          <caption class="sr-only">Audit events</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Action</th>
              <th scope="col">Outcome</th>
              <th scope="col">Who</th>
              <th scope="col">What</th>
            </tr>
          </thead>
          <tbody>
            {!page.data ? (
              <SkeletonRows columns={5} rows={8} />
            ) : page.data.auditEvents.nodes.length === 0 ? (
              <tr>
                <td colSpan={5}>Nothing recorded for this filter.</td>
              </tr>
            ) : (
              page.data.auditEvents.nodes.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <td>{time(e.at)}</td>
                  <td class="mono">{e.action}</td>
                  <td>
                    <Badge value={e.outcome} /> {e.errorCode && <span class="code">{e.errorCode}</span>}
                  </td>
                  <td>
                    {e.actor.kind.toLowerCase().replace('_', ' ')}{' '}
                    <span class="mono">{e.actor.keyId ?? ''}</span>
                    {e.actor.subject && <span class="muted"> ({e.actor.subject})</span>}
                  </td>
                  <td>
                    {e.connectionId && <span class="mono">{e.connectionId}</span>}
                    {e.targetCount > 0 && (
                      <div class="muted">
                        {e.targetCount} target(s)
                        {e.targetIds.length ? `: ${e.targetIds.slice(0, 3).join(', ')}` : ''}
                        {e.targetIds.length > 3 ? '…' : ''}
                      </div>
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </Page>
  );
}
