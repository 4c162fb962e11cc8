/**
 * `npm run bench:console`: what the operator console costs a browser, beside GraphiQL's page on the
 * same gateway (a read stack: the sandboxes, a gateway, a tenant connected to every CRM).
 *
 * - transfer: the page's HTML, JS and CSS as a gzip-compressing proxy would send them (level 6, what
 *   nginx and most CDNs use); the gateway itself sends them uncompressed.
 * - first useful paint in headless Chromium: from navigation start to the first animation frame
 *   where the connections table shows its rows (the console, key already in the tab's session) or
 *   GraphiQL's query editor is drawn. Cold (browser cache cleared) and warm (cached assets: the
 *   console's are immutable, GraphiQL's kept a day); the median of --runs each.
 *
 * Prints `BENCH console.<what> <value> <unit>` and `BENCH graphiql.<what> <value> <unit>` lines.
 *   --runs=N  page loads per measure (default 7)
 */
import zlib from 'node:zlib';
import { type Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser';
import { smallOrgs } from '../test/support/read-stack';
import { arg, runBench } from './support/bench-cli';
import { withBenchStack } from './support/bench-stack';

/** The in-page globals the measures read (the bench compiles without the DOM lib). */
interface InPage {
  document: { querySelector(selector: string): unknown };
  performance: { now(): number };
  sessionStorage: { setItem(key: string, value: string): void };
}

/** The same-origin scripts and stylesheets an HTML page names. */
function assetsOf(html: string): string[] {
  const urls = [...html.matchAll(/<(?:script[^>]*\ssrc|link[^>]*\shref)="(\/[^"]+)"/g)].map((m) => m[1]!);
  return urls.filter((u) => /\.(js|css)$/.test(u));
}

async function transfer(base: string, path: string): Promise<{ raw: number; gzip: number; files: number }> {
  const html = await (await fetch(`${base}${path}`, { headers: { accept: 'text/html' } })).text();
  const bodies = [Buffer.from(html)];
  for (const asset of assetsOf(html)) {
    const res = await fetch(`${base}${asset}`);
    if (!res.ok) throw new Error(`GET ${asset}: ${res.status}`);
    bodies.push(Buffer.from(await res.arrayBuffer()));
  }
  return {
    raw: bodies.reduce((n, b) => n + b.length, 0),
    gzip: bodies.reduce((n, b) => n + zlib.gzipSync(b, { level: 6 }).length, 0),
    files: bodies.length,
  };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** ms from navigation start to the first frame where `selector` is in the page. */
async function paintAt(page: Page, url: string, selector: string): Promise<number> {
  await page.goto(url, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    (sel) => {
      const g = globalThis as unknown as InPage;
      return g.document.querySelector(sel) ? g.performance.now() : null;
    },
    selector,
    { polling: 'raf', timeout: 30_000 },
  );
  return (await handle.jsonValue()) as number;
}

async function main(): Promise<void> {
  const runs = arg('runs', 7);
  await withBenchStack(
    'bench-console',
    { orgs: smallOrgs(['default'], 1), gateway: { graphiql: true } },
    async (stack) => {
      const tenant = await stack.tenant('bench-console');
      const pages = {
        console: { path: '/console', selector: 'tr[data-connection]' },
        graphiql: { path: '/graphql', selector: '.graphiql-query-editor .CodeMirror' },
      };
      for (const [name, p] of Object.entries(pages)) {
        const t = await transfer(stack.url, p.path);
        console.log(`BENCH ${name}.transfer.gzip ${(t.gzip / 1024).toFixed(1)} KiB`);
        console.log(`BENCH ${name}.transfer.raw ${(t.raw / 1024).toFixed(1)} KiB`);
        console.log(`BENCH ${name}.transfer.files ${t.files} files`);
      }

      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        // The key is in the tab's session already, as after signing in once.
        await page.addInitScript((key) => {
          (globalThis as unknown as InPage).sessionStorage.setItem('crm-gateway:console-key', key);
        }, tenant.key);
        const cdp = await browser.context.newCDPSession(page);
        for (const [name, p] of Object.entries(pages)) {
          const url = `${stack.url}${p.path}`;
          await paintAt(page, url, p.selector); // a first load: the gateway's and sandboxes' caches warm
          const cold: number[] = [];
          const warm: number[] = [];
          for (let i = 0; i < runs; i++) {
            await cdp.send('Network.clearBrowserCache');
            cold.push(await paintAt(page, url, p.selector));
            warm.push(await paintAt(page, url, p.selector));
          }
          console.log(`BENCH ${name}.first_useful_paint.cold.p50 ${median(cold).toFixed(0)} ms`);
          console.log(`BENCH ${name}.first_useful_paint.warm.p50 ${median(warm).toFixed(0)} ms`);
        }
      } finally {
        await browser.close();
      }
    },
  );
}

runBench(main);
