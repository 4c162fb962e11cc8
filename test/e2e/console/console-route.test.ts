import fs from 'node:fs';
import http from 'node:http';
import { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import express from 'express';
import { CRM_KINDS } from '../../../src/connectors/registry';
import { loadEnv } from '../../../src/config/env';
import { type ConsoleCrm, consoleRouter } from '../../../src/server/console';
import { startGatewayServer } from '../../../src/server/http-server';
import { startTestGateway, type TestGateway } from '../support/gateway';

/**
 * How the gateway serves the console: the shell (CSP, never cached, the CRM catalogue as a data block
 * no value can break out of), the bundle's files by the build's manifest only (cached for good), a clear
 * 503 before the bundle is built, and the ENABLE_CONSOLE switch in production.
 */

/** The `<script id="console-config">` data block of a shell. */
function configOf(html: string): { endpoint: string; crms: ConsoleCrm[] } {
  const m = /<script id="console-config" type="application\/json">([^<]*)<\/script>/.exec(html);
  if (!m) throw new Error(`no console-config data block in:\n${html}`);
  return JSON.parse(m[1]!) as { endpoint: string; crms: ConsoleCrm[] };
}

describe('the console router over a build directory', () => {
  let dir: string;
  let server: http.Server;
  let url: string;
  const crms: ConsoleCrm[] = [
    {
      kind: 'acme',
      displayName: 'Acme </script><script>alert(1)</script>',
      authKinds: ['static_token'],
      oauth: false,
    },
  ];
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-console-dist-'));
    const app = express();
    app.use(consoleRouter({ endpoint: '/graphql', crms, distDir: dir }));
    server = http.createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('says to build while the bundle is missing, then serves it once built (no restart)', async () => {
    const unbuilt = await fetch(`${url}/console`);
    expect(unbuilt.status).toBe(503);
    expect(await unbuilt.text()).toMatch(/the console is not built .*manifest\.json.*npm run build/);

    fs.writeFileSync(path.join(dir, 'console-AAAA1111.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'console-BBBB2222.css'), 'body{}');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not listed');
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ js: 'console-AAAA1111.js', css: 'console-BBBB2222.css' }),
    );
    const page = await fetch(`${url}/console`);
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).toContain("connect-src 'self'");
    const html = await page.text();
    expect(html).toContain('src="/console/assets/console-AAAA1111.js"');
    expect(html).toContain('href="/console/assets/console-BBBB2222.css"');
    expect(html).not.toMatch(/https?:\/\//); // nothing from elsewhere
    // The catalogue's values cannot close the data block.
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(configOf(html)).toEqual({ endpoint: '/graphql', crms });

    const js = await fetch(`${url}/console/assets/console-AAAA1111.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/text\/javascript/);
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const css = await fetch(`${url}/console/assets/console-BBBB2222.css`);
    expect(css.headers.get('content-type')).toMatch(/text\/css/);
  });

  it('follows a rebuild: new names served, the old ones gone', async () => {
    fs.writeFileSync(path.join(dir, 'console-CCCC3333.js'), 'console.log(2)');
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({ js: 'console-CCCC3333.js', css: 'console-BBBB2222.css' }),
    );
    // A later mtime than the first manifest's, whatever the file system's timestamp resolution.
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(dir, 'manifest.json'), later, later);
    expect(await (await fetch(`${url}/console`)).text()).toContain(
      'src="/console/assets/console-CCCC3333.js"',
    );
    expect((await fetch(`${url}/console/assets/console-CCCC3333.js`)).status).toBe(200);
    expect((await fetch(`${url}/console/assets/console-AAAA1111.js`)).status).toBe(404);
  });

  it('serves only the files the manifest names', async () => {
    for (const file of ['secret.txt', 'manifest.json', '..%2Fpackage.json', 'console-AAAA1111.js.map']) {
      expect((await fetch(`${url}/console/assets/${file}`)).status).toBe(404);
    }
  });
});

describe('the console on the gateway', () => {
  let gw: TestGateway;
  beforeAll(async () => {
    const env = loadEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      CRM_OAUTH_APPS: JSON.stringify({ hubspot: { clientId: 'cid', clientSecret: 'secret' } }),
    });
    gw = await startTestGateway({ env });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('tells the page every registered CRM, its auth kinds and whether this gateway has its OAuth app', async () => {
    const html = await (await fetch(`${gw.url}/console`)).text();
    const { crms } = configOf(html);
    expect(crms.map((c) => c.kind)).toEqual(CRM_KINDS);
    expect(crms.find((c) => c.kind === 'hubspot')).toMatchObject({ oauth: true });
    expect(crms.find((c) => c.kind === 'salesforce')).toMatchObject({ oauth: false });
    for (const c of crms) expect(c.authKinds.length).toBeGreaterThan(0);
  });

  it('is off in production unless ENABLE_CONSOLE turns it on', async () => {
    for (const [vars, status] of [
      [{ NODE_ENV: 'production' }, 404],
      [{ NODE_ENV: 'production', ENABLE_CONSOLE: 'true' }, 200],
      [{ NODE_ENV: 'development', ENABLE_CONSOLE: 'false' }, 404],
    ] as const) {
      const server = await startGatewayServer(
        { ...gw.ctx, env: loadEnv(vars) },
        { host: '127.0.0.1', port: 0 },
      );
      try {
        expect({ vars, status: (await fetch(`${server.url}/console`)).status }).toEqual({ vars, status });
      } finally {
        await server.close();
      }
    }
  });
});
