import { type BrowserContext, type Page } from 'playwright-core';
import {
  connectionEvent,
  connectionEventsChannel,
  createConnectionEventPublisher,
} from '../../src/events/connection-events';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../support/browser';
import { startTestGateway, type TestGateway } from './support/gateway';

/**
 * The GraphiQL page in a real headless Chromium: it loads and runs operations with no request leaving
 * the machine. Debian's `chromium` is installed by `scripts/setup.js --browser` (run by `npm test`)
 * where it can be (as root); elsewhere this suite says why and is skipped — unless REQUIRE_BROWSER_TEST=1
 * (`.ci/run` sets it), where a missing Chromium fails.
 */

/** The few browser globals the in-page callbacks use (the project compiles without the DOM lib). */
interface InPage {
  document: { querySelector(selector: string): { textContent: string | null } | null };
  localStorage: { getItem(key: string): string | null };
}
describeInBrowser('offline GraphiQL in headless Chromium', () => {
  let gw: TestGateway;
  let launched: TestBrowser;
  let browser: BrowserContext;
  beforeAll(async () => {
    gw = await startTestGateway({ graphiql: true, introspection: true });
    launched = await launchBrowser();
    browser = launched.context;
  }, 60000);
  afterAll(async () => {
    await launched?.close();
    await gw?.close();
  });

  /** Every URL the page asks for, WebSockets included. */
  async function openPage(): Promise<{ page: Page; urls: string[] }> {
    const page = await browser.newPage();
    const urls: string[] = [];
    page.on('request', (r) => urls.push(r.url()));
    page.on('websocket', (ws) => urls.push(ws.url()));
    await page.goto(`${gw.url}/graphql`);
    await page.waitForSelector('.graphiql-container', { timeout: 30000 });
    return { page, urls };
  }

  async function run(page: Page, query: string): Promise<void> {
    // GraphiQL's editors are CodeMirror 5 instances; set the query through the editor's own API.
    await page.evaluate((q) => {
      const el = (globalThis as unknown as InPage).document.querySelector(
        '.graphiql-query-editor .CodeMirror',
      ) as unknown as { CodeMirror: { setValue(v: string): void } };
      el.CodeMirror.setValue(q);
    }, query);
    await page.click('.graphiql-execute-button');
  }

  async function resultText(page: Page, contains: string): Promise<string> {
    await page.waitForFunction(
      (text) =>
        (
          (globalThis as unknown as InPage).document.querySelector('.result-window')?.textContent ?? ''
        ).includes(text),
      contains,
      { timeout: 15000 },
    );
    return (await page.textContent('.result-window')) ?? '';
  }

  function offMachine(urls: string[]): string[] {
    return urls.filter((u) => new URL(u).hostname !== '127.0.0.1');
  }

  it('loads from the gateway alone and runs { health }', async () => {
    const { page, urls } = await openPage();
    await run(page, '{ health }');
    expect(await resultText(page, '"health"')).toContain('"ok"');
    expect(urls.length).toBeGreaterThan(3);
    expect(offMachine(urls)).toEqual([]);
    await page.close();
  });

  it('uses the key entered once for HTTP and for subscriptions over the same WebSocket', async () => {
    const t = await gw.tenant('browser');
    const { page, urls } = await openPage();
    await page.fill('#api-key', t.key);
    await page.click('#save-key');
    await page.waitForSelector('.graphiql-container');

    await run(page, '{ viewer { scope } }');
    expect(await resultText(page, 'read_write')).toContain('"scope"');

    await run(page, 'subscription { connectionEvents { type crm } }');
    // Wait until the page's subscription reached Redis, then cause an event.
    const channel = connectionEventsChannel(gw.ctx.redisPrefix, t.tenantId);
    for (let i = 0; ; i += 1) {
      const [, n] = (await gw.ctx.redis.pubsub('NUMSUB', channel)) as [string, number];
      if (Number(n) > 0) break;
      if (i === 200) {
        throw new Error(
          `the page never subscribed; result pane: ${await page.textContent('.result-window')}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const created = await gw.ctx.store.connections.create({
      tenantId: t.tenantId,
      crm: 'hubspot',
      displayName: 'from the test',
      credentials: { accessToken: 'x' },
    });
    await createConnectionEventPublisher({
      redis: gw.ctx.redis,
      redisPrefix: gw.ctx.redisPrefix,
    }).publishConnectionEvent(t.tenantId, connectionEvent('CREATED', created));
    expect(await resultText(page, 'CREATED')).toContain('"hubspot"');

    expect(urls.some((u) => u.startsWith('ws://127.0.0.1'))).toBe(true);
    expect(offMachine(urls)).toEqual([]);
    // Stored for the next visit, not sent anywhere else.
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as InPage).localStorage.getItem('crm-gateway:api-key'),
      ),
    ).toBe(t.key);
    await page.close();
  });
});
