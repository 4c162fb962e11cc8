import { useState } from 'preact/hooks';
import {
  ConsoleChangeHistoryDocument,
  ConsoleConnectionsDocument,
  ConsoleContactsDocument,
  ConsoleDealsDocument,
  type CrmObject,
  type RecordFilter,
} from '../generated/operations';
import { Badge, ConnectionSelect, ErrorBox, Page, Pager, SkeletonRows, usePages } from '../components/ui';
import { time } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { useSession } from '../lib/session-context';
import { FieldDiff } from './field-diff';

const PAGE = 25;

interface Row {
  id: string;
  remoteId: string;
  title: string;
  detail: string;
  updatedAt?: string | null;
  isDeleted: boolean;
}

/** Contacts and deals of one connection with the API's list filters and forward paging. */
export function RecordsPage() {
  const { api } = useSession();
  const connections = useLoad(() => api.request(ConsoleConnectionsDocument, {}), [api]);
  const [chosen, setChosen] = useState('');
  const connectionId = chosen || connections.data?.connections[0]?.id || '';
  const [object, setObject] = useState<CrmObject>('CONTACT');
  const [draft, setDraft] = useState<{
    namePrefix: string;
    email: string;
    updatedSince: string;
    includeDeleted: boolean;
  }>({ namePrefix: '', email: '', updatedSince: '', includeDeleted: false });
  const [filter, setFilter] = useState<RecordFilter>({});
  const pages = usePages();
  const after = pages.after;
  const [selected, setSelected] = useState<Row | null>(null);

  const page = useLoad(async () => {
    if (!connectionId) return null;
    if (object === 'CONTACT') {
      const r = await api.request(ConsoleContactsDocument, { connectionId, filter, first: PAGE, after });
      return {
        pageInfo: r.contacts?.pageInfo ?? null,
        rows: (r.contacts?.nodes ?? []).map<Row>((c) => ({
          id: c.id,
          remoteId: c.remoteId,
          title: [c.firstName, c.lastName].filter(Boolean).join(' ') || '(no name)',
          detail: [c.email, c.companyName].filter(Boolean).join(' · '),
          updatedAt: c.updatedAt,
          isDeleted: c.isDeleted,
        })),
      };
    }
    const r = await api.request(ConsoleDealsDocument, { connectionId, filter, first: PAGE, after });
    return {
      pageInfo: r.deals?.pageInfo ?? null,
      rows: (r.deals?.nodes ?? []).map<Row>((d) => ({
        id: d.id,
        remoteId: d.remoteId,
        title: d.name ?? '(no name)',
        detail: [d.amount && `${d.amount} ${d.currency ?? ''}`, d.stage, d.status]
          .filter(Boolean)
          .join(' · '),
        updatedAt: d.updatedAt,
        isDeleted: d.isDeleted,
      })),
    };
  }, [api, connectionId, object, filter, after]);

  const reset = () => {
    pages.reset();
    setSelected(null);
  };
  const apply = () => {
    const f: RecordFilter = { includeDeleted: draft.includeDeleted };
    if (draft.namePrefix) f.namePrefix = draft.namePrefix;
    if (draft.email && object === 'CONTACT') f.email = draft.email;
    if (draft.updatedSince) f.updatedSince = new Date(draft.updatedSince).toISOString();
    setFilter(f);
    reset();
  };
  const info = page.data?.pageInfo;
  return (
    <Page title="Records">
      <form
        class="filters"
        onSubmit={(e) => {
          e.preventDefault();
          apply();
        }}
      >
        <ConnectionSelect
          connections={connections.data?.connections ?? []}
          value={connectionId}
          onChange={(id) => {
            setChosen(id);
            reset();
          }}
        />
        <label>
          Object
          <select
            value={object}
            onChange={(e) => {
              setObject((e.target as HTMLSelectElement).value as CrmObject);
              reset();
            }}
          >
            <option value="CONTACT">Contacts</option>
            <option value="DEAL">Deals</option>
          </select>
        </label>
        <label>
          Name starts with
          <input
            value={draft.namePrefix}
            maxLength={100}
            onInput={(e) => setDraft({ ...draft, namePrefix: (e.target as HTMLInputElement).value })}
          />
        </label>
        {object === 'CONTACT' && (
          <label>
            Email
            <input
              type="email"
              value={draft.email}
              onInput={(e) => setDraft({ ...draft, email: (e.target as HTMLInputElement).value })}
            />
          </label>
        )}
        <label>
          Updated since
          <input
            type="datetime-local"
            value={draft.updatedSince}
            onInput={(e) => setDraft({ ...draft, updatedSince: (e.target as HTMLInputElement).value })}
          />
        </label>
        <label class="check">
          <input
            type="checkbox"
            checked={draft.includeDeleted}
            onChange={(e) => setDraft({ ...draft, includeDeleted: (e.target as HTMLInputElement).checked })}
          />
          Include deleted
        </label>
        <button type="submit">Apply</button>
      </form>
      <ErrorBox error={connections.error ?? page.error} />
      <div class="split">
        <div class="table-wrap">
          {/* Above the rows: a page that arrives longer or shorter moves nothing below it. */}
          <Pager pages={pages} pageInfo={info}>
            {info && info.filteredOut > 0 ? ` · ${info.filteredOut} filtered out` : ''}
            {info?.scanLimitReached ? ' · scan limit reached: narrow the filter' : ''}
          </Pager>
          <table class="records">
            <caption class="sr-only">{object === 'CONTACT' ? 'Contacts' : 'Deals'}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Details</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {page.loading && !page.data ? (
                <SkeletonRows columns={3} rows={8} />
              ) : (
                (page.data?.rows ?? []).map((r) => (
                  <tr
                    key={r.id}
                    class={selected?.id === r.id ? 'selected' : undefined}
                    data-remote-id={r.remoteId}
                  >
                    <td>
                      <button type="button" class="link" onClick={() => setSelected(r)}>
                        {r.title}
                      </button>
                      {r.isDeleted && <Badge value="DELETED" />}
                    </td>
                    <td>{r.detail}</td>
                    <td>{time(r.updatedAt)}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
        <aside class="history" aria-label="Change history">
          {selected ? (
            <History connectionId={connectionId} object={object} row={selected} />
          ) : (
            <p class="muted">Choose a record to see its change history.</p>
          )}
        </aside>
      </div>
    </Page>
  );
}

function History({ connectionId, object, row }: { connectionId: string; object: CrmObject; row: Row }) {
  const { api } = useSession();
  const history = useLoad(
    () => api.request(ConsoleChangeHistoryDocument, { connectionId, object, remoteId: row.remoteId }),
    [api, connectionId, object, row.remoteId],
  );
  const nodes = history.data?.changeHistory.nodes ?? [];
  return (
    <>
      <h2>{row.title}</h2>
      <p class="muted mono">{row.remoteId}</p>
      <ErrorBox error={history.error} />
      {history.data && nodes.length === 0 && <p class="muted">No changes recorded for this record yet.</p>}
      <ol class="timeline">
        {nodes.map((e) => (
          <li key={e.id}>
            <p>
              <Badge value={e.kind} /> {time(e.occurredAt)} <span class="muted">via {e.source}</span>
            </p>
            <FieldDiff changes={e.changes} />
          </li>
        ))}
      </ol>
    </>
  );
}
