import fs from 'node:fs';
import path from 'node:path';
import { type Request, type Response, Router } from 'express';
import { type AuthKind } from '../config/crms';

/**
 * The operator console on GET /console: a Preact page bundled by esbuild at build time
 * (scripts/build-console.js, from console/ at the repository root) into dist/console/, every asset
 * served from our own origin with content-hashed names. The page talks to the public GraphQL API only
 * (HTTP and the WebSocket endpoint, the key typed once into the page) and the OAuth start route; it
 * has no endpoint of its own. docs/console.md describes it.
 *
 * What the page cannot learn through GraphQL is which CRMs this gateway speaks and how each connects
 * (the registry's declarations and whether an OAuth app is configured): the shell embeds that as a JSON
 * data block, read by the page at start.
 */

/** URL prefix of the bundle's files; a name is served only when the build's manifest lists it. */
export const CONSOLE_PATH = '/console';
export const CONSOLE_ASSETS_PATH = '/console/assets';

/** One CRM the console can connect, as the page is told. */
export interface ConsoleCrm {
  kind: string;
  displayName: string;
  authKinds: readonly AuthKind[];
  /** Whether `/oauth/<kind>/start` can answer here: the CRM connects through OAuth and an app is configured. */
  oauth: boolean;
}

/** What scripts/build-console.js writes beside the bundle. */
interface Manifest {
  js: string;
  css: string;
}

/** The repository's root: the nearest directory above this file with a package.json (src/ or dist/). */
function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** dist/console of this checkout, where the build puts the bundle. */
export function consoleDistDir(): string {
  return path.join(repoRoot(), 'dist', 'console');
}

function readManifest(dir: string): Manifest | null {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Partial<Manifest>;
    return typeof parsed.js === 'string' && typeof parsed.css === 'string'
      ? { js: parsed.js, css: parsed.css }
      : null;
  } catch {
    return null;
  }
}

export function consoleRouter(options: {
  endpoint: string;
  crms: readonly ConsoleCrm[];
  /** @defaultValue {@link consoleDistDir} */
  distDir?: string;
}): Router {
  const dir = options.distDir ?? consoleDistDir();
  const router = Router();
  // Read again whenever the file changed (a stat per request of the console's few files), so a build
  // after start is picked up and a rebuild's new names replace the old ones, which it deleted.
  let cached: { mtimeMs: number; manifest: Manifest | null } | null = null;
  const current = (): Manifest | null => {
    let mtimeMs: number;
    try {
      mtimeMs = fs.statSync(path.join(dir, 'manifest.json')).mtimeMs;
    } catch {
      return null;
    }
    if (cached?.mtimeMs !== mtimeMs) cached = { mtimeMs, manifest: readManifest(dir) };
    return cached.manifest;
  };

  router.get(`${CONSOLE_ASSETS_PATH}/:file`, (req: Request<{ file: string }>, res, next) => {
    const m = current();
    const file = req.params.file;
    if (!m || (file !== m.js && file !== m.css)) return next();
    // The name changes with the content: a browser may keep it for good.
    res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
    res.type(file.endsWith('.css') ? 'text/css' : 'text/javascript');
    res.sendFile(path.join(dir, file));
  });

  router.get(CONSOLE_PATH, (_req, res) => {
    const m = current();
    if (!m) {
      res
        .status(503)
        .type('text/plain')
        .send(`the console is not built (no ${path.join(dir, 'manifest.json')}): run \`npm run build\``);
      return;
    }
    sendShell(res, m, options);
  });
  return router;
}

/** JSON inside a <script> data block: `<` escaped so no value can close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function sendShell(res: Response, m: Manifest, options: { endpoint: string; crms: readonly ConsoleCrm[] }) {
  // The page may talk to its own origin only (http and ws); no inline script runs (the data block is
  // not a script), and its few inline style attributes (bar widths) are the only inline styles.
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data:",
      "connect-src 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
  );
  // The shell names the current bundle: always asked again (it is tiny; the bundle is cached for good).
  res.setHeader('Cache-Control', 'no-cache');
  const config = { endpoint: options.endpoint, crms: options.crms };
  res.type('html').send(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>crm-gateway console</title>
<link rel="stylesheet" href="${CONSOLE_ASSETS_PATH}/${m.css}">
<script id="console-config" type="application/json">${scriptJson(config)}</script>
<script defer src="${CONSOLE_ASSETS_PATH}/${m.js}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading the console…</p></div>
</body>
</html>
`);
}
