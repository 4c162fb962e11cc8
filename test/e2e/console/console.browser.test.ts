import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type Page } from 'playwright-core';
import {
  ContactByIdDocument,
  ContactPageDocument,
  FieldMappingDocument,
  UpdateContactWriteDocument,
  WriteOperationByIdDocument,
} from '../generated/operations';
import { request } from '../support/gateway';
import { describeInBrowser, launchBrowser, type TestBrowser } from '../../support/browser';
import {
  type ReadStack,
  type ReadTenant,
  READ_CRMS,
  smallOrgs,
  startReadStack,
} from '../../support/read-stack';
import { sandboxAdmin } from '../../support/sync-records';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { within } from '../../support/within';
import { connectionEventsChannel } from '../../../src/events/connection-events';
import { syncEventsRoutingKey } from '../../../src/events/sync-events';
import { BudgetSamples } from '../../../src/ratelimit/budget-samples';
import { processBudgetSample } from '../../../src/worker/budgets/budget-sample.processor';
import { type RunningWorker, startWorker } from '../../../src/worker/worker';

/**
 * The operator console in headless Chromium against a running gateway, worker and the sandboxes: a key
 * typed once, every demo connection healthy, a CRM user's edit arriving in the live feed with its diff
 * (and the feed resuming from its cursor after a reload), a mapping change applied, a revoked refresh
 * token turning the connection NEEDS_REAUTH and the OAuth reconnect in the browser, a read-only key
 * that cannot press a write button, and a DEAD write retried from the page. Each page is screenshot to
 * .data/console-shots/ (docs/console/ holds committed copies).
 */
jest.setTimeout(60_000);

/** The browser globals the in-page callbacks read (the tests compile without the DOM lib). */
/** The slice of PerformanceObserver the layout-shift score uses. */
type ShiftObserver = new (
  callback: (list: { getEntries(): { value: number; hadRecentInput: boolean }[] }) => void,
) => { observe(options: { type: string; buffered: boolean }): void };

interface InPage {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  requestAnimationFrame(callback: () => void): void;
  localStorage: { length: number };
  document: { documentElement: { scrollWidth: number; clientWidth: number } };
}

const SHOTS = path.resolve(__dirname, '../../../.data/console-shots');
const HUBSPOT_SECRET = 'console-app-secret';

describeInBrowser('the operator console in headless Chromium', () => {
  let stack: ReadStack;
  let tenant: ReadTenant;
  let readKey: string;
  let worker: RunningWorker;
  let browser: TestBrowser;
  let page: Page;
  const requested: string[] = [];

  beforeAll(async () => {
    stack = await startReadStack({
      ...testStoreUrls(),
      name: uniqueName('console'),
      orgs: smallOrgs(['default'], 21),
      // One real attempt per write: a vendor 500 makes a write DEAD at once (the retry test's).
      env: { WRITE_MAX_ATTEMPTS: '1' },
    });
    tenant = await stack.tenant('console');
    readKey = (await stack.ctx.store.apiKeys.create(tenant.tenantId, 'console reader', 'read')).key;
    // HubSpot delivers its webhooks to this gateway, signed with the connection's app secret.
    const hubspot = await stack.ctx.store.connections.getById(tenant.connections.hubspot);
    await stack.ctx.store.connections.update(hubspot.id, {
      settings: { ...hubspot.settings, webhookClientSecret: HUBSPOT_SECRET },
    });
    await sandboxAdmin(stack, 'hubspot', 'PUT', '/webhooks', {
      url: `${stack.url}/webhooks/hubspot`,
      secret: HUBSPOT_SECRET,
    });
    worker = await startWorker(stack.ctx);
    // Healthy means synced: each new connection's backfill runs on this worker first.
    await within(45_000, async () => {
      for (const crm of READ_CRMS) {
        const connection = await stack.ctx.store.connections.getById(tenant.connections[crm]);
        expect({ crm, ...(await stack.ctx.syncControl.status(connection)).backfill }).toMatchObject({
          crm,
          state: 'DONE',
        });
      }
    });
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('request', (r) => requested.push(r.url()));
    page.on('websocket', (ws) => requested.push(ws.url()));
    fs.mkdirSync(SHOTS, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await worker?.close();
    await stack?.close();
  });

  const shot = (name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
  const row = (crm: string) => page.locator(`tr[data-crm="${crm}"]`);

  async function signIn(p: Page, key: string): Promise<void> {
    await p.goto(`${stack.url}/console`);
    await p.fill('#api-key', key);
    await p.click('#sign-in');
    await p.waitForSelector('#scope');
  }

  /** The Redis pub/sub channel of the tenant's sync events or connection events. */
  const channel = (of: 'sync' | 'connection') =>
    of === 'sync'
      ? `${syncEventsRoutingKey(stack.ctx.redisPrefix)}:${tenant.tenantId}`
      : connectionEventsChannel(stack.ctx.redisPrefix, tenant.tenantId);
  const subscriberCount = async (of: 'sync' | 'connection') =>
    Number(((await stack.ctx.redis.pubsub('NUMSUB', channel(of))) as [string, number])[1]);

  it('takes the key once and shows every connection healthy, from this machine only', async () => {
    await page.setViewportSize({ width: 1280, height: 900 });
    // A mistyped key: the gateway's code and what to do, and the key is not kept.
    await page.goto(`${stack.url}/console`);
    await page.fill('#api-key', 'cgw_not-a-key');
    await page.click('#sign-in');
    const refused = page.locator('.error[data-code="UNAUTHENTICATED"]');
    await refused.waitFor();
    expect(await refused.textContent()).toMatch(/UNAUTHENTICATED.*enter a valid API key/);
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as InPage).sessionStorage.getItem('crm-gateway:console-key'),
      ),
    ).toBeNull();
    await signIn(page, tenant.key);
    await within(15_000, async () =>
      expect(await page.locator('tr[data-connection]').count()).toBe(READ_CRMS.length),
    );
    for (const crm of READ_CRMS) {
      expect(await row(crm).getAttribute('data-status')).toBe('ACTIVE');
      expect(await row(crm).locator('.reason').count()).toBe(0);
      // Each budget drawn as a meter with what is left.
      expect(await row(crm).locator('[role="meter"]').count()).toBeGreaterThan(0);
    }
    expect(await page.textContent('#scope')).toBe('read_write');
    // Kept for this tab only; sent nowhere but the gateway.
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as InPage).sessionStorage.getItem('crm-gateway:console-key'),
      ),
    ).toBe(tenant.key);
    expect(await page.evaluate(() => (globalThis as unknown as InPage).localStorage.length)).toBe(0);
    expect(requested.filter((u) => new URL(u).hostname !== '127.0.0.1')).toEqual([]);
    await shot('connections');
  });

  it('keeps its layout while data arrives (cumulative layout shift under 0.1, the "good" mark)', async () => {
    const fresh = await browser.context.newPage();
    try {
      await fresh.setViewportSize({ width: 1280, height: 900 });
      // Every layout shift of the load, as the browser scores them (inputs are excluded by the browser).
      await fresh.addInitScript((key) => {
        const g = globalThis as unknown as InPage & { __cls: number; PerformanceObserver: ShiftObserver };
        g.sessionStorage.setItem('crm-gateway:console-key', key);
        g.__cls = 0;
        new g.PerformanceObserver((list) => {
          for (const e of list.getEntries()) if (!e.hadRecentInput) g.__cls += e.value;
        }).observe({ type: 'layout-shift', buffered: true });
      }, tenant.key);
      for (const hash of ['#/connections', '#/records', '#/audit']) {
        await fresh.goto('about:blank'); // a new document each time: the score starts again
        await fresh.goto(`${stack.url}/console${hash}`);
        await fresh.waitForSelector(
          hash === '#/connections'
            ? 'tr[data-connection]'
            : hash === '#/records'
              ? 'tr[data-remote-id]'
              : 'tr[data-action]',
        );
        // Two frames after the data: its layout is done and scored.
        await fresh.evaluate(
          () =>
            new Promise<void>((r) => {
              const g = globalThis as unknown as InPage;
              g.requestAnimationFrame(() => g.requestAnimationFrame(r));
            }),
        );
        const cls = await fresh.evaluate(() => (globalThis as unknown as { __cls: number }).__cls);
        expect({ hash, shifted: cls >= 0.1 ? cls : 'under 0.1' }).toEqual({ hash, shifted: 'under 0.1' });
      }
    } finally {
      await fresh.close();
    }
  });

  it('fits a phone: nothing wider than the screen but the tables, which scroll inside their card', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForSelector('tr[data-connection]');
    const overflow = await page.evaluate(
      () =>
        (globalThis as unknown as InPage).document.documentElement.scrollWidth -
        (globalThis as unknown as InPage).document.documentElement.clientWidth,
    );
    expect(overflow).toBe(0);
    await shot('connections-phone');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  it("shows a CRM user's edit in the live feed with its field diff, and resumes from its cursor after a reload", async () => {
    await page.goto(`${stack.url}/console#/events`);
    await page.waitForSelector('#page-title:text("Live events")');
    await within(15_000, async () => expect(await subscriberCount('sync')).toBe(1));
    const email = `grace.${crypto.randomBytes(4).toString('hex')}@example.com`;
    const created = await sandboxAdmin(stack, 'hubspot', 'POST', '/records/contacts', {
      firstname: 'Grace',
      lastname: 'Hopper',
      email,
    });
    const id = String(created.id);
    await sandboxAdmin(stack, 'hubspot', 'POST', '/webhooks/flush');
    await page.waitForSelector(`li.event[data-remote-id="${id}"][data-kind="CREATED"]`, { timeout: 30_000 });
    await sandboxAdmin(stack, 'hubspot', 'PATCH', `/records/contacts/${id}`, { firstname: 'Amazing Grace' });
    await sandboxAdmin(stack, 'hubspot', 'POST', '/webhooks/flush');
    const updated = page.locator(`li.event[data-remote-id="${id}"][data-kind="UPDATED"]`);
    await updated.waitFor({ timeout: 30_000 });
    await updated.locator('button.event-head').click();
    const diff = updated.locator('tr[data-field="firstName"]');
    expect(await diff.locator('del').textContent()).toBe('Grace');
    expect(await diff.locator('ins').textContent()).toBe('Amazing Grace');
    await shot('events');

    // Paused, the page misses a change; after a reload it gets it from its stored cursor.
    await page.click('button:text("Pause")');
    await within(10_000, async () => expect(await subscriberCount('sync')).toBe(0));
    await sandboxAdmin(stack, 'hubspot', 'PATCH', `/records/contacts/${id}`, { lastname: 'Hopper-Murray' });
    await sandboxAdmin(stack, 'hubspot', 'POST', '/webhooks/flush');
    await within(30_000, async () => {
      const history = await stack.ctx.store.conn
        .db!.collection('change_events')
        .countDocuments({ connectionId: tenant.connections.hubspot, remoteId: id });
      expect(history).toBe(3);
    });
    expect(await page.locator(`li.event[data-remote-id="${id}"]`).count()).toBe(2);
    await page.reload();
    const missed = page.locator(`li.event[data-remote-id="${id}"]`);
    await missed.first().waitFor({ timeout: 15_000 });
    // Only what came after the cursor: the missed change, not the two seen before the reload.
    await within(5_000, async () => expect(await missed.count()).toBe(1));
    await missed.locator('button.event-head').click();
    expect(await missed.locator('tr[data-field="lastName"] ins').textContent()).toBe('Hopper-Murray');
  });

  it("draws each budget's last hour from the worker's samples", async () => {
    // Three samples, as the worker's budget-sample job takes them a minute apart.
    const sample = processBudgetSample({
      connections: stack.ctx.store.connections,
      readings: (c) => stack.ctx.crm.budgetReadings(c),
      samples: new BudgetSamples(stack.ctx.redis, stack.ctx.redisPrefix),
      logger: stack.ctx.logger,
    });
    for (let i = 0; i < 3; i++) await sample();
    await page.goto(`${stack.url}/console#/connections/${tenant.connections.hubspot}`);
    const burst = page.locator('.budget-block:has(figcaption:text("burst")) polyline');
    await burst.waitFor({ state: 'attached' });
    // Ours, and any the worker's own repeatable job took meanwhile.
    expect((await burst.getAttribute('points'))!.trim().split(' ').length).toBeGreaterThanOrEqual(3);
    expect(await page.getAttribute('[role="progressbar"]', 'aria-valuenow')).not.toBeNull();
  });

  it('changes a field mapping after showing the diff, and reads apply it', async () => {
    const connectionId = tenant.connections.hubspot;
    await page.goto(`${stack.url}/console#/connections/${connectionId}`);
    const title = page.locator('.mapping tr[data-canonical="title"]');
    await title.waitFor();
    await title.locator('input[aria-label="Native field of title"]').fill('email');
    await title.locator('input[aria-label="Native field of title"]').press('Tab');
    await page.click('button:text("Review 1 change(s)")');
    const change = page.locator('.diff li[data-canonical="title"]');
    expect(await change.locator('del').textContent()).toMatch(/^jobtitle /);
    expect(await change.locator('ins').textContent()).toMatch(/^email /);
    await page.click('button:text("Save mapping")');
    await page.waitForSelector('.mapping >> text=version 1');
    expect(await title.locator('td').last().textContent()).toContain('override');
    await shot('connection');

    const view = await request(
      stack.url,
      FieldMappingDocument,
      { connectionId, object: 'CONTACT' },
      {
        key: tenant.key,
      },
    );
    expect(view.body.data!.fieldMapping.fields.find((f) => f.canonical === 'title')).toMatchObject({
      native: 'email',
      overridden: true,
    });
    const contacts = await request(
      stack.url,
      ContactPageDocument,
      { connectionId, first: 1 },
      {
        key: tenant.key,
      },
    );
    const contact = contacts.body.data!.contacts!.edges[0]!.node;
    const read = await request(stack.url, ContactByIdDocument, { id: contact.id }, { key: tenant.key });
    expect(read.body.data!.contact!.title).toBe(read.body.data!.contact!.email);
  });

  it('shows NEEDS_REAUTH once the CRM revoked the refresh token, and reconnects through OAuth in the browser', async () => {
    await sandboxAdmin(stack, 'hubspot', 'POST', '/tokens/revoke', {});
    await sandboxAdmin(stack, 'hubspot', 'POST', '/tokens/expire', {});
    await page.goto(`${stack.url}/console#/connections`);
    await row('hubspot').waitFor();
    await within(15_000, async () => expect(await subscriberCount('connection')).toBe(1));
    // A poll now: its call meets the expired token, the refresh is refused, the connection needs reauth.
    await row('hubspot').locator('button[aria-label^="Poll"]').click();
    await page.waitForSelector('tr[data-crm="hubspot"][data-status="NEEDS_REAUTH"]', { timeout: 30_000 });
    expect(await row('hubspot').locator('.status-reason').textContent()).not.toBe('');
    await shot('connections-needs-reauth');

    const [popup] = await Promise.all([
      page.waitForEvent('popup'),
      row('hubspot').locator('button:text("Reconnect")').click(),
    ]);
    // The sandbox approves at once and sends the browser back to the gateway's callback.
    await popup.waitForURL(/\/oauth\/hubspot\/callback/, { timeout: 15_000 });
    expect(JSON.parse((await popup.textContent('body')) ?? '{}')).toMatchObject({ change: 'REAUTHORIZED' });
    await popup.close();
    await page.waitForSelector('tr[data-crm="hubspot"][data-status="ACTIVE"]', { timeout: 15_000 });
  });

  it('retries a DEAD write from the page and shows it succeed live', async () => {
    const connectionId = tenant.connections.hubspot;
    const contacts = await request(
      stack.url,
      ContactPageDocument,
      { connectionId, first: 1 },
      {
        key: tenant.key,
      },
    );
    const contactId = contacts.body.data!.contacts!.edges[0]!.node.id;
    await stack.setFaults('hubspot', { errorRate: 1 });
    const accepted = await request(
      stack.url,
      UpdateContactWriteDocument,
      { id: contactId, input: { firstName: 'Rear Admiral' } },
      { key: tenant.key },
    );
    const writeId = accepted.body.data!.updateContact.id;
    await within(30_000, async () => {
      const op = await request(stack.url, WriteOperationByIdDocument, { id: writeId }, { key: tenant.key });
      expect(op.body.data!.writeOperation!.status).toBe('DEAD');
    });
    await stack.setFaults('hubspot', null);

    await page.goto(`${stack.url}/console#/writes`);
    const write = page.locator(`tr[data-write-id="${writeId}"]`);
    await write.waitFor();
    expect(await write.getAttribute('data-status')).toBe('DEAD');
    await shot('writes');
    await write.locator('button:text("Retry")').click();
    await page.waitForSelector(`tr[data-write-id="${writeId}"][data-status="SUCCEEDED"]`, {
      timeout: 30_000,
    });
  });

  it('lists records with their change history, and the audit log', async () => {
    await page.goto(`${stack.url}/console#/records`);
    await page.selectOption('select:near(:text("Connection"))', tenant.connections.hubspot);
    const first = page.locator('table.records tbody tr[data-remote-id] button').first();
    await first.waitFor();
    await first.click();
    await page.waitForSelector('.timeline li');
    await shot('records');

    await page.goto(`${stack.url}/console#/audit`);
    await page.waitForSelector('tr[data-action="updateFieldMapping"]');
    expect(await page.locator('tr[data-action="retryWriteOperation"]').count()).toBe(1);
    await shot('audit');
  });

  it('lets a read-only key see everything and press no write button, saying why', async () => {
    const reader = await browser.context.newPage();
    try {
      await signIn(reader, readKey);
      await reader.waitForSelector('tr[data-connection]');
      expect(await reader.textContent('#scope')).toBe('read');
      const buttons = reader.locator('[data-write]');
      // Per connection at least sync now, resync and delete; and the connect form's.
      expect(await buttons.count()).toBeGreaterThanOrEqual(READ_CRMS.length * 3 + 1);
      for (const b of await buttons.all()) {
        expect(await b.isDisabled()).toBe(true);
        expect(await b.getAttribute('title')).toMatch(/read-only: this needs a read_write key/);
      }
      expect(await reader.locator('.write .why:text("read-only key")').count()).toBe(await buttons.count());
      // Forced, the click does nothing: the mutation is never sent.
      const sent: string[] = [];
      reader.on('request', (r) => r.method() === 'POST' && sent.push(r.postData() ?? ''));
      const first = reader.locator('tr[data-connection]').first();
      await first.locator('button[aria-label^="Poll"]').click({ force: true });
      await first.locator('button[aria-label^="Delete"]').click({ force: true });
      // A query sent after the clicks and answered: anything the clicks had sent went before it.
      const refreshed = reader.waitForResponse((r) =>
        (r.request().postData() ?? '').includes('ConsoleConnections'),
      );
      await reader.click('button:text("Refresh")');
      await refreshed;
      expect(await reader.locator('.confirm').count()).toBe(0);
      expect(sent.filter((b) => b.includes('mutation'))).toEqual([]);
      expect(sent.filter((b) => b.includes('ConsoleConnections'))).toHaveLength(1);
    } finally {
      await reader.close();
    }
  });
});
