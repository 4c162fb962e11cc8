import { type ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { type GatewayError } from '../lib/api';
import { useSession } from '../lib/session-context';

/** Why a write button is disabled for a read key: shown as its title and as text beside it. */
export const READ_ONLY_REASON = 'Your API key is read-only: this needs a read_write key';

/** An error with its `extensions.code` and what to do about it. */
export function ErrorBox({ error, onDismiss }: { error: GatewayError | null; onDismiss?: () => void }) {
  if (!error) return null;
  return (
    <div class="error" role="alert" data-code={error.code}>
      <p>
        <strong class="code">{error.code}</strong> {error.message}
      </p>
      <p class="todo">{error.whatToDo}</p>
      {onDismiss && (
        <button type="button" class="link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

/**
 * A button that changes state: disabled for a read key, saying why (title and visible text), and while
 * its action runs.
 */
export function WriteButton(props: {
  onClick: () => void;
  busy?: boolean;
  danger?: boolean;
  label?: string;
  children: ComponentChildren;
}) {
  const { scope } = useSession();
  const readOnly = scope !== 'read_write';
  return (
    <span class="write">
      <button
        type="button"
        data-write=""
        class={props.danger ? 'danger' : undefined}
        aria-label={props.label}
        disabled={readOnly || props.busy}
        title={readOnly ? READ_ONLY_REASON : undefined}
        onClick={props.onClick}
      >
        {props.busy ? '…' : props.children}
      </button>
      {readOnly && <span class="why">read-only key</span>}
    </span>
  );
}

const STATUS_CLASS: Record<string, string> = {
  ACTIVE: 'ok',
  SUCCEEDED: 'ok',
  DONE: 'ok',
  POLLING: 'ok',
  NEEDS_REAUTH: 'warn',
  QUEUED: 'info',
  RUNNING: 'info',
  BACKFILLING: 'info',
  PENDING: 'info',
  FAILED: 'bad',
  DEAD: 'bad',
  ERROR: 'bad',
  DISABLED: 'bad',
};

export function Badge({ value }: { value: string }) {
  return <span class={`badge ${STATUS_CLASS[value] ?? ''}`}>{value}</span>;
}

/** What is left of a budget as a bar (a meter for assistive technology). */
export function BudgetBar(props: { name: string; limit: number; remaining: number; retryAfterMs?: number }) {
  const share = props.limit > 0 ? Math.max(0, Math.min(1, props.remaining / props.limit)) : 0;
  const level = share < 0.1 ? 'bad' : share < 0.3 ? 'warn' : 'ok';
  return (
    <div class="budget">
      <span class="budget-name">{props.name}</span>
      <span
        class={`bar ${level}`}
        role="meter"
        aria-label={`${props.name} budget left`}
        aria-valuemin={0}
        aria-valuemax={props.limit}
        aria-valuenow={props.remaining}
      >
        <span style={{ width: `${(share * 100).toFixed(1)}%` }} />
      </span>
      <span class="budget-figures">
        {props.remaining.toLocaleString()} / {props.limit.toLocaleString()}
        {props.retryAfterMs ? ` · wait ${Math.ceil(props.retryAfterMs / 1000)} s` : ''}
      </span>
    </div>
  );
}

/** A page's frame: its title and a region that keeps its height while data loads. */
export function Page(props: { title: string; actions?: ComponentChildren; children: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title" tabIndex={-1}>
          {props.title}
        </h1>
        <div class="page-actions">{props.actions}</div>
      </header>
      {props.children}
    </section>
  );
}

/** Placeholder rows of a table while its data loads: the table does not jump when it arrives. */
export function SkeletonRows({ columns, rows = 4 }: { columns: number; rows?: number }) {
  return (
    <>
      {Array.from({ length: rows }, (_, i) => (
        <tr key={i} class="skeleton" aria-hidden="true">
          {Array.from({ length: columns }, (_, j) => (
            <td key={j}>
              <span />
            </td>
          ))}
        </tr>
      ))}
    </>
  );
}

/** The forward-only paging of the gateway's lists: a stack of cursors, "Previous" pops one. */
export function usePages(): {
  after: string | null;
  page: number;
  next(endCursor: string): void;
  previous(): void;
  reset(): void;
} {
  const [cursors, setCursors] = useState<(string | null)[]>([null]);
  return {
    after: cursors[cursors.length - 1] ?? null,
    page: cursors.length,
    next: (endCursor) => setCursors([...cursors, endCursor]),
    previous: () => setCursors(cursors.slice(0, -1)),
    reset: () => setCursors([null]),
  };
}

export function Pager(props: {
  pages: ReturnType<typeof usePages>;
  pageInfo: { hasNextPage: boolean; endCursor?: string | null } | null | undefined;
  children?: ComponentChildren;
}) {
  const { pages, pageInfo } = props;
  return (
    <div class="pager">
      <button type="button" disabled={pages.page < 2} onClick={pages.previous}>
        Previous
      </button>
      <span class="muted">
        Page {pages.page}
        {props.children}
      </span>
      <button
        type="button"
        disabled={!pageInfo?.hasNextPage || !pageInfo.endCursor}
        onClick={() => pageInfo?.endCursor && pages.next(pageInfo.endCursor)}
      >
        Next
      </button>
    </div>
  );
}

/** A select of the tenant's connections; `all` adds an "All" choice (value ""). */
export function ConnectionSelect(props: {
  connections: { id: string; displayName: string; crm: string }[];
  value: string;
  all?: boolean;
  onChange: (id: string) => void;
}) {
  return (
    <label>
      Connection
      <select value={props.value} onChange={(e) => props.onChange((e.target as HTMLSelectElement).value)}>
        {props.all && <option value="">All</option>}
        {props.connections.map((c) => (
          <option key={c.id} value={c.id}>
            {c.displayName} ({c.crm})
          </option>
        ))}
      </select>
    </label>
  );
}
