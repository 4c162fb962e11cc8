import { useState } from 'preact/hooks';
import { ConsoleCreateConnectionDocument } from '../generated/operations';
import { ErrorBox, WriteButton } from '../components/ui';
import { asGatewayError, type GatewayError } from '../lib/api';
import { useAction } from '../lib/hooks';
import { useSession } from '../lib/session-context';

/**
 * The OAuth start as any app does it: `/oauth/<crm>/start?format=json` with the key, then the
 * vendor's authorize page in a window of its own. The window is opened on the click itself (a window
 * opened after an await is a popup browsers block) and pointed at the vendor once the URL is known;
 * the connection appears through connectionEvents when the vendor sends the browser back.
 */
export function useOAuth(): {
  busy: boolean;
  waiting: boolean;
  error: GatewayError | null;
  start(crm: string, params: Record<string, string>): Promise<void>;
  clear(): void;
} {
  const { api } = useSession();
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [error, setError] = useState<GatewayError | null>(null);
  return {
    busy,
    waiting,
    error,
    clear: () => setError(null),
    async start(crm, params) {
      const win = window.open('about:blank', 'crm-gateway-oauth');
      setBusy(true);
      setError(null);
      try {
        const url = await api.oauthStart(crm, params);
        if (win) win.location.href = url;
        else window.location.href = url;
        setWaiting(true);
      } catch (err) {
        win?.close();
        setError(asGatewayError(err));
      } finally {
        setBusy(false);
      }
    },
  };
}

type Kind = 'oauth2_code' | 'static_token' | 'oauth2_client_credentials';
const KIND_LABEL: Record<Kind, string> = {
  oauth2_code: 'OAuth (sign in at the CRM)',
  static_token: 'API token',
  oauth2_client_credentials: 'Client credentials',
};

/** Connect a CRM by one of the auth kinds it declares. */
export function ConnectForm({ onConnected }: { onConnected: () => void }) {
  const { api, config } = useSession();
  const [crm, setCrm] = useState(config.crms[0]?.kind ?? '');
  const decl = config.crms.find((c) => c.kind === crm);
  const kinds = (decl?.authKinds ?? []).filter((k): k is Kind => k in KIND_LABEL);
  const [kind, setKind] = useState<Kind | ''>('');
  const chosen: Kind | undefined = kinds.includes(kind as Kind) ? (kind as Kind) : kinds[0];
  const [fields, setFields] = useState<Record<string, string>>({});
  const action = useAction();
  const oauth = useOAuth();
  const field = (name: string) => ({
    value: fields[name] ?? '',
    onInput: (e: Event) => setFields({ ...fields, [name]: (e.target as HTMLInputElement).value }),
  });
  const submit = async () => {
    if (!decl || !chosen) return;
    const displayName = fields.displayName || decl.displayName;
    const vendorUrls: Record<string, string> = {};
    if (fields.authUrl) vendorUrls.auth = fields.authUrl;
    if (fields.apiUrl) vendorUrls.api = fields.apiUrl;
    if (chosen === 'oauth2_code') {
      const params: Record<string, string> = { displayName };
      if (fields.authUrl) params.authUrl = fields.authUrl;
      if (fields.apiUrl) params.apiUrl = fields.apiUrl;
      await oauth.start(decl.kind, params);
      return;
    }
    const credentials =
      chosen === 'static_token'
        ? { authKind: chosen, token: fields.token ?? '' }
        : { authKind: chosen, clientId: fields.clientId ?? '', clientSecret: fields.clientSecret ?? '' };
    const done = await action.run(() =>
      api.request(ConsoleCreateConnectionDocument, {
        input: {
          crm: decl.kind,
          displayName,
          credentials,
          ...(Object.keys(vendorUrls).length ? { vendorUrls } : {}),
        },
      }),
    );
    if (done) {
      setFields({});
      onConnected();
    }
  };
  const oauthUnavailable = chosen === 'oauth2_code' && decl && !decl.oauth;
  // A disclosure above the list: opening it pushes the list down by the user's own action, and the
  // list growing when its data arrives moves nothing below it.
  return (
    <details class="card connect">
      <summary>
        <h2 id="connect-title">Connect a CRM</h2>
      </summary>
      <form
        aria-labelledby="connect-title"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div class="grid">
          <label>
            CRM
            <select value={crm} onChange={(e) => setCrm((e.target as HTMLSelectElement).value)}>
              {config.crms.map((c) => (
                <option key={c.kind} value={c.kind}>
                  {c.displayName}
                </option>
              ))}
            </select>
          </label>
          <label>
            How
            <select value={chosen} onChange={(e) => setKind((e.target as HTMLSelectElement).value as Kind)}>
              {kinds.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABEL[k]}
                </option>
              ))}
            </select>
          </label>
          <label>
            Display name
            <input {...field('displayName')} placeholder={decl?.displayName} />
          </label>
          {chosen === 'static_token' && (
            <label>
              API token
              <input type="password" autoComplete="off" required {...field('token')} />
            </label>
          )}
          {chosen === 'oauth2_client_credentials' && (
            <>
              <label>
                Client id
                <input autoComplete="off" required {...field('clientId')} />
              </label>
              <label>
                Client secret
                <input type="password" autoComplete="off" required {...field('clientSecret')} />
              </label>
            </>
          )}
          <label>
            Auth URL <span class="muted">(optional: a custom domain, a sandbox)</span>
            <input type="url" {...field('authUrl')} />
          </label>
          <label>
            API URL <span class="muted">(optional)</span>
            <input type="url" {...field('apiUrl')} />
          </label>
        </div>
        {oauthUnavailable && (
          <p class="reason">
            No {decl.displayName} OAuth app is configured on this gateway (CRM_OAUTH_APPS).
          </p>
        )}
        <WriteButton busy={action.busy || oauth.busy} onClick={() => void submit()}>
          {chosen === 'oauth2_code' ? 'Continue at the CRM' : 'Connect'}
        </WriteButton>
        {oauth.waiting && <p class="muted">Finish the authorization in the window that opened.</p>}
        <ErrorBox error={action.error ?? oauth.error} />
      </form>
    </details>
  );
}
