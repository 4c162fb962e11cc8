import crypto from 'node:crypto';
import path from 'node:path';
import { type Request, type Response, Router } from 'express';

/**
 * An offline GraphiQL on GET /graphql for browsers. Every asset comes from an installed npm package
 * (graphiql 3's UMD build and React 18's UMD builds), served from our own origin: the page works with
 * no internet, which no Apollo landing page does (they load from a CDN).
 *
 * The API key — or an access token from `createAccessToken`, which is what a frontend developer tries
 * their page's queries with — is typed once into a field above the editor, kept in localStorage, and
 * used both as the HTTP `Authorization` header and as `connectionParams.authorization` for
 * subscriptions, which run over the same WebSocket endpoint as every other client's. For a token the
 * bar shows its subject and expiry (read from the token's payload; the gateway verifies it).
 */

/** URL prefix of the assets; the file names are fixed by this table, never taken from the request path. */
export const GRAPHIQL_ASSETS_PATH = '/graphiql/assets';

const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript' },
  'react-dom.production.min.js': {
    pkg: 'react-dom',
    file: 'umd/react-dom.production.min.js',
    type: 'text/javascript',
  },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript' },
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css' },
};

/** A file inside an installed package (the UMD files are outside the packages' `exports` maps). */
function packageFile(pkg: string, file: string): string {
  return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), file);
}

export function graphiqlRouter(options: { endpoint: string }): Router {
  const router = Router();
  const files = new Map(
    Object.entries(ASSETS).map(([name, a]) => [name, { file: packageFile(a.pkg, a.file), type: a.type }]),
  );

  router.get(`${GRAPHIQL_ASSETS_PATH}/:file`, (req: Request<{ file: string }>, res, next) => {
    const asset = files.get(req.params.file);
    if (!asset) return next();
    res.type(asset.type);
    res.sendFile(asset.file, { maxAge: '1d' });
  });

  router.get(options.endpoint, (req, res, next) => {
    // Only browsers navigating here; GET queries from programs (Accept: application/json) go to Apollo.
    if (req.query.query !== undefined || !prefersHtml(req)) return next();
    sendPage(res, options.endpoint);
  });
  return router;
}

function prefersHtml(req: Request): boolean {
  const accepted = req.accepts(['application/json', 'application/graphql-response+json', 'text/html']);
  return accepted === 'text/html';
}

function sendPage(res: Response, endpoint: string): void {
  const nonce = crypto.randomBytes(16).toString('base64');
  // The page may talk to its own origin only (http and ws); the one inline script is the nonce's.
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  res.type('html').send(page(nonce, endpoint));
}

function page(nonce: string, endpoint: string): string {
  const a = GRAPHIQL_ASSETS_PATH;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>crm-gateway GraphiQL</title>
<link rel="stylesheet" href="${a}/graphiql.min.css">
<style nonce="${nonce}">
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; font-family: system-ui, sans-serif; }
  #key-bar { display: flex; gap: 8px; align-items: center; padding: 6px 12px; border-bottom: 1px solid #ddd; font-size: 14px; }
  #key-bar input { flex: 1; max-width: 520px; font-family: monospace; padding: 4px 6px; }
  #key-state { color: #666; }
  #graphiql { flex: 1; min-height: 0; }
</style>
</head>
<body>
<form id="key-bar">
  <label for="api-key">API key or access token</label>
  <input id="api-key" type="password" autocomplete="off" spellcheck="false" placeholder="cgw_… or eyJ…">
  <button id="save-key" type="submit">Use</button>
  <span id="key-state"></span>
</form>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${a}/react.production.min.js"></script>
<script src="${a}/react-dom.production.min.js"></script>
<script src="${a}/graphiql.min.js"></script>
<script nonce="${nonce}">
(function () {
  var STORAGE_KEY = 'crm-gateway:api-key';
  var endpoint = new URL(${JSON.stringify(endpoint)}, window.location.href);
  var wsEndpoint = new URL(endpoint.href);
  wsEndpoint.protocol = endpoint.protocol === 'https:' ? 'wss:' : 'ws:';
  var input = document.getElementById('api-key');
  var state = document.getElementById('key-state');
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  var generation = 0;

  // A JWT's payload is readable by design; only what helps the person at the page is shown.
  function describe(key) {
    var parts = key.split('.');
    if (parts.length !== 3) return 'key set (' + key.slice(0, 12) + '…)';
    try {
      var claims = JSON.parse(atob(parts[1].replace(/-/g, '+').replace(/_/g, '/')));
      var expires = new Date(claims.exp * 1000);
      var left = expires.getTime() <= Date.now() ? ' — expired: mint a new one' : '';
      return 'access token for ' + claims.sub + ', expires ' + expires.toLocaleTimeString() + left;
    } catch (e) {
      return 'access token set (unreadable payload: the gateway will refuse it)';
    }
  }

  function render() {
    var key = (localStorage.getItem(STORAGE_KEY) || '').trim();
    var auth = key ? 'Bearer ' + key : undefined;
    state.textContent = key ? describe(key) : 'no key: only { health } answers';
    var base = GraphiQL.createFetcher({
      url: endpoint.href,
      subscriptionUrl: wsEndpoint.href,
      headers: auth ? { Authorization: auth } : {},
      wsConnectionParams: auth ? { authorization: auth } : {},
    });
    // The toolkit sends an operation over the WebSocket only when it was handed the document's AST,
    // which the editor supplies late or not at all right after an edit: decide from the text instead.
    var fetcher = function (params, opts) {
      var doc;
      try {
        doc = GraphiQL.GraphQL.parse(params.query);
      } catch (e) {
        return base(params, opts);
      }
      var ops = doc.definitions.filter(function (d) { return d.kind === 'OperationDefinition'; });
      var op = params.operationName
        ? ops.find(function (o) { return o.name && o.name.value === params.operationName; })
        : ops.length === 1 ? ops[0] : undefined;
      if (!op || op.operation !== 'subscription') return base(params, opts);
      return base(
        Object.assign({}, params, { operationName: op.name ? op.name.value : undefined }),
        Object.assign({}, opts, { documentAST: doc }),
      );
    };
    generation += 1;
    // A new key means a new fetcher and a new WebSocket: remount rather than patch.
    root.render(React.createElement(GraphiQL, { key: generation, fetcher: fetcher, defaultQuery: '{ health }\\n' }));
  }

  input.value = localStorage.getItem(STORAGE_KEY) || '';
  document.getElementById('key-bar').addEventListener('submit', function (event) {
    event.preventDefault();
    localStorage.setItem(STORAGE_KEY, input.value.trim());
    render();
  });
  render();
})();
</script>
</body>
</html>
`;
}
