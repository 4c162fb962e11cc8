import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import './styles.css';
import { ConsoleViewerDocument } from './generated/operations';
import { ErrorBox } from './components/ui';
import { Api, asGatewayError, type GatewayError, readConfig } from './lib/api';
import { savedKey, saveKey } from './lib/session';
import { type Session, SessionContext } from './lib/session-context';
import { AuditPage } from './pages/audit';
import { ConnectionDetailPage } from './pages/connection-detail';
import { ConnectionsPage } from './pages/connections';
import { EventsPage } from './pages/events';
import { RecordsPage } from './pages/records';
import { WritesPage } from './pages/writes';

/**
 * The operator console: a key gate, then hash-routed pages. Everything it shows and does goes through
 * the public GraphQL API with the key typed here (kept in sessionStorage for this tab only).
 */
const config = readConfig();

const NAV = [
  ['#/connections', 'Connections'],
  ['#/events', 'Live events'],
  ['#/records', 'Records'],
  ['#/writes', 'Writes'],
  ['#/audit', 'Audit log'],
] as const;

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash || '#/connections');
  useEffect(() => {
    const on = () => setHash(window.location.hash || '#/connections');
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash;
}

function Route({ hash }: { hash: string }) {
  const detail = /^#\/connections\/(.+)$/.exec(hash);
  if (detail) return <ConnectionDetailPage id={decodeURIComponent(detail[1]!)} />;
  if (hash.startsWith('#/events')) return <EventsPage />;
  if (hash.startsWith('#/records')) return <RecordsPage />;
  if (hash.startsWith('#/writes')) return <WritesPage />;
  if (hash.startsWith('#/audit')) return <AuditPage />;
  return <ConnectionsPage />;
}

function KeyGate({ onSignedIn, error }: { onSignedIn: (key: string) => void; error: GatewayError | null }) {
  const [key, setKey] = useState('');
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  return (
    <main class="gate">
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) onSignedIn(key.trim());
        }}
      >
        <h1>crm-gateway console</h1>
        <label for="api-key">API key</label>
        <input
          id="api-key"
          ref={input}
          type="password"
          autoComplete="off"
          spellcheck={false}
          placeholder="cgw_…"
          value={key}
          onInput={(e) => setKey((e.target as HTMLInputElement).value)}
        />
        <p class="muted">
          Kept in this tab's session storage only, and sent as the Authorization header and the WebSocket's
          connection parameter. A read key sees everything and changes nothing.
        </p>
        <button type="submit" id="sign-in">
          Sign in
        </button>
        <ErrorBox error={error} />
      </form>
    </main>
  );
}

function App() {
  const [key, setKey] = useState<string | null>(savedKey());
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<GatewayError | null>(null);
  const hash = useHash();
  const api = useMemo(() => (key ? new Api(config.endpoint, key) : null), [key]);

  useEffect(() => {
    if (!api) return;
    let stale = false;
    api.request(ConsoleViewerDocument, {}).then(
      ({ viewer }) => {
        if (stale) return;
        setSession({ api, config, scope: viewer.scope, tenant: viewer.tenant });
        setError(null);
      },
      (err: unknown) => {
        if (stale) return;
        setError(asGatewayError(err));
        saveKey(null);
        setKey(null);
      },
    );
    return () => {
      stale = true;
      api.close();
    };
  }, [api]);

  // A new page moves focus to its title, for keyboard and screen-reader users.
  useEffect(() => document.getElementById('page-title')?.focus(), [hash, session]);

  if (!key || !session) {
    return key && !error ? (
      <p class="boot">Checking the key…</p>
    ) : (
      <KeyGate
        error={error}
        onSignedIn={(k) => {
          saveKey(k);
          setError(null);
          setKey(k);
        }}
      />
    );
  }
  const active = NAV.find(([href]) => hash.startsWith(href))?.[0] ?? '#/connections';
  return (
    <SessionContext.Provider value={session}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <strong class="brand">crm-gateway</strong>
        <nav aria-label="Pages">
          {NAV.map(([href, label]) => (
            <a key={href} href={href} aria-current={href === active ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <span class="who">
          {session.tenant.name} · <span id="scope">{session.scope}</span>
          <button
            type="button"
            class="link"
            onClick={() => {
              saveKey(null);
              setSession(null);
              setKey(null);
            }}
          >
            Sign out
          </button>
        </span>
      </header>
      {session.scope !== 'read_write' && (
        <p class="banner" role="status">
          Read-only key: you see everything; buttons that change something are disabled (they need a
          read_write key).
        </p>
      )}
      <main id="main">
        <Route hash={hash} />
      </main>
    </SessionContext.Provider>
  );
}

const root = document.getElementById('app')!;
root.textContent = ''; // the shell's "Loading…" line
render(<App />, root);
