import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

/**
 * Headless Debian Chromium through playwright-core, for the browser tests (GraphiQL, the console).
 * `scripts/setup.js --browser` (run by `npm test`) installs it where it can (as root); elsewhere a suite
 * says why and is skipped — unless REQUIRE_BROWSER_TEST=1 (`.ci/run` sets it), where a missing
 * Chromium fails.
 */
export const CHROMIUM = '/usr/bin/chromium';
export const haveChromium = fs.existsSync(CHROMIUM);
export const browserRequired = process.env.REQUIRE_BROWSER_TEST === '1';
export const missingChromium =
  `${CHROMIUM} is missing. Install it with \`apt-get install -y chromium\` ` +
  '(scripts/setup.js --browser does so when run as root).';

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A fresh profile each run: nothing cached, nothing remembered from another run. */
export async function launchBrowser(): Promise<TestBrowser> {
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `describe` for a suite that needs Chromium: skipped, saying why, where it is missing — and one failing
 * test instead under REQUIRE_BROWSER_TEST=1.
 */
export function describeInBrowser(name: string, body: () => void): void {
  if (!haveChromium && browserRequired) {
    describe(name, () => {
      it('runs: REQUIRE_BROWSER_TEST=1 forbids skipping it', () => {
        throw new Error(`${name} cannot run: ${missingChromium}`);
      });
    });
    return;
  }
  if (!haveChromium) console.warn(`${name} skipped: ${missingChromium}`);
  (haveChromium ? describe : describe.skip)(name, body);
}
