import { useState } from 'preact/hooks';
import { ConsoleConnectionDetailDocument, type CrmObject } from '../generated/operations';
import { BudgetChart } from '../components/chart';
import { Badge, BudgetBar, ErrorBox, Page } from '../components/ui';
import { ago, duration, time } from '../lib/format';
import { useLoad } from '../lib/hooks';
import { useSession } from '../lib/session-context';
import { MappingEditor } from './mapping-editor';

/** One connection: backfill progress, each budget's last hour, and the field mapping editor. */
export function ConnectionDetailPage({ id }: { id: string }) {
  const { api } = useSession();
  const loaded = useLoad(() => api.request(ConsoleConnectionDetailDocument, { id }), [api, id]);
  const [object, setObject] = useState<CrmObject>('CONTACT');
  const c = loaded.data?.connection ?? null;
  const backfill = c?.sync.backfill;
  const share =
    backfill && backfill.total
      ? Math.min(1, backfill.done / backfill.total)
      : backfill?.state === 'DONE'
        ? 1
        : 0;
  return (
    <Page
      title={c ? `${c.displayName} (${c.crm})` : 'Connection'}
      actions={
        <>
          <a href="#/connections">← Connections</a>
          <button type="button" onClick={loaded.reload}>
            Refresh
          </button>
        </>
      }
    >
      <ErrorBox error={loaded.error} />
      <div class="cards">
        <div class="card summary">
          <h2>Status</h2>
          <dl>
            <dt>Status</dt>
            <dd>{c ? <Badge value={c.status} /> : '…'}</dd>
            {c?.statusReason && (
              <>
                <dt>Reason</dt>
                <dd class="reason">{c.statusReason}</dd>
              </>
            )}
            <dt>Account</dt>
            <dd>{c?.externalAccountId ?? '—'}</dd>
            <dt>Sync</dt>
            <dd>{c ? <Badge value={c.sync.state} /> : '…'}</dd>
            <dt>Lag</dt>
            <dd>{duration(c?.sync.lagMs)}</dd>
            <dt>Last poll</dt>
            <dd>{time(c?.sync.lastPollAt)}</dd>
            <dt>Last webhook</dt>
            <dd>{ago(c?.sync.webhooks.lastReceivedAt)}</dd>
          </dl>
        </div>
        <div class="card">
          <h2 id="backfill-title">Backfill</h2>
          <div
            class="bar wide ok"
            role="progressbar"
            aria-labelledby="backfill-title"
            aria-valuemin={0}
            aria-valuemax={backfill?.total ?? 100}
            aria-valuenow={backfill?.total ? backfill.done : Math.round(share * 100)}
          >
            <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
          </div>
          <p class="muted">
            {backfill
              ? `${backfill.state} · ${backfill.done}${backfill.total ? ` of ${backfill.total}` : ''} records`
              : '…'}
          </p>
        </div>
        <div class="card budgets-card">
          <h2>Budgets, last hour</h2>
          <div class="budget-blocks">
            {c?.budgets.map((b) => (
              <div key={b.name} class="budget-block">
                <BudgetBar {...b} />
                <BudgetChart name={b.name} limit={b.limit} samples={b.samples} />
                <p class="muted">window {duration(b.windowMs)}</p>
              </div>
            )) ?? <div class="chart placeholder" />}
          </div>
        </div>
      </div>
      <section class="card" aria-labelledby="mapping-title">
        <h2 id="mapping-title">Field mapping</h2>
        <div role="group" aria-label="Object" class="tabs">
          {(['CONTACT', 'DEAL'] as const).map((o) => (
            <button key={o} type="button" aria-pressed={object === o} onClick={() => setObject(o)}>
              {o === 'CONTACT' ? 'Contacts' : 'Deals'}
            </button>
          ))}
        </div>
        <MappingEditor key={object} connectionId={id} object={object} />
      </section>
    </Page>
  );
}
