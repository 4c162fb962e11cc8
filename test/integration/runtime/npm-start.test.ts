import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RUNTIME_FILE, type RuntimeInfo } from '../../../src/runtime/local-stores';

const DEV = path.resolve(__dirname, '../../../dist/bin/dev.js');

/** `npm start` as a user runs it: everything embedded, a demo tenant, Ctrl-C leaves no process behind. */
describe('npm start (dist/bin/dev.js)', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-start-'));
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  function start(): { child: ChildProcess; output: () => string; running: Promise<string> } {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      DATA_DIR: dataDir,
      PORT: '0',
      SANDBOX_BASE_PORT: '0',
      LOG_LEVEL: 'warn',
    };
    for (const name of ['MONGODB_URI', 'REDIS_URL', 'CREDENTIALS_KEYS', 'NODE_ENV']) delete env[name];
    const child = spawn(process.execPath, [DEV], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
    const running = new Promise<string>((resolve, reject) => {
      child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('Ctrl-C stops everything.')) resolve(out);
      });
      child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
    });
    return { child, output: () => out, running };
  }

  async function interrupt(child: ChildProcess): Promise<number | null> {
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    child.kill('SIGINT');
    return exited;
  }

  function alive(pid: number): boolean {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }

  it('starts stores, gateway, worker and a demo tenant; Ctrl-C stops every process; data is kept', async () => {
    const first = start();
    const out = await first.running;
    const key = /API key\s+(cgw_\S+)/.exec(out)?.[1];
    expect(key).toBeDefined();
    const graphqlUrl = /gateway\s+(http:\/\/\S+\/graphql)/.exec(out)![1];
    const gatewayUrl = graphqlUrl.replace(/\/graphql$/, '');
    expect(gatewayUrl).not.toMatch(/:0$/);
    const ready = await fetch(`${gatewayUrl}/readyz`);
    expect(ready.status).toBe(200);

    // The demo tenant is connected to every sandbox, through the gateway's OAuth flow.
    const crms = [...out.matchAll(/connection\s+(\S+)\s+[0-9a-f]{24} \(created\)/g)].map((m) => m[1]);
    expect(crms.length).toBeGreaterThanOrEqual(2);
    const res = await fetch(graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ query: '{ connections { crm status } }' }),
    });
    const body = (await res.json()) as { data: { connections: { crm: string; status: string }[] } };
    expect(body.data.connections.map((c) => c.crm).sort()).toEqual([...crms].sort());
    expect(body.data.connections.every((c) => c.status === 'ACTIVE')).toBe(true);

    // A plain OAuth start (no connection, no URLs) goes to the sandbox's authorize page, not the vendor's.
    for (const crm of crms) {
      const started = await fetch(`${gatewayUrl}/oauth/${crm}/start?format=json`, {
        headers: { authorization: `Bearer ${key}` },
      });
      expect(started.status).toBe(200);
      const { authorizeUrl } = (await started.json()) as { authorizeUrl: string };
      expect(new URL(authorizeUrl).hostname).toBe('127.0.0.1');
    }

    // The generated dev key is private to the user.
    expect(fs.statSync(path.join(dataDir, 'credentials.keys')).mode & 0o777).toBe(0o600);
    const info = JSON.parse(fs.readFileSync(path.join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo;
    expect(info.pids).toHaveLength(4); // FerretDB, Redis, gateway, worker
    expect(info.pids!.every(alive)).toBe(true);

    expect(await interrupt(first.child)).toBe(0);
    expect(info.pids!.filter(alive)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, RUNTIME_FILE))).toBe(false);

    // Second start: same data, so the demo tenant exists and no new key is printed.
    const second = start();
    const again = await second.running;
    expect(again).toContain('its first key was printed when it was created');
    expect(again).not.toContain(key!);
    // Sandboxes start empty of tokens: the same connections are re-authorized, none is added.
    expect(
      [...again.matchAll(/connection\s+(\S+)\s+[0-9a-f]{24} \(reauthorized\)/g)].map((m) => m[1]),
    ).toEqual(crms);
    expect(await interrupt(second.child)).toBe(0);
  }, 90000);

  it('starts a killed embedded store again on the same port, and the gateway answers again', async () => {
    const run = start();
    try {
      const out = await run.running;
      const graphqlUrl = /gateway\s+(http:\/\/\S+\/graphql)/.exec(out)![1];
      const runtime = () =>
        JSON.parse(fs.readFileSync(path.join(dataDir, RUNTIME_FILE), 'utf8')) as RuntimeInfo;
      const before = runtime();
      const killed = before.storePids!.redis;
      expect(alive(killed)).toBe(true);

      process.kill(killed, 'SIGKILL');
      // The supervisor records the new process in runtime.json once it serves on the old port.
      let after = runtime();
      for (const deadline = Date.now() + 30000; Date.now() < deadline;) {
        after = runtime();
        if (after.storePids!.redis !== killed) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(after.storePids!.redis).not.toBe(killed);
      expect(alive(after.storePids!.redis)).toBe(true);
      expect(after.redisUrl).toBe(before.redisUrl);

      // The gateway and the worker stayed up, and the gateway's clients reconnected by themselves.
      let ready = 0;
      for (const deadline = Date.now() + 30000; ready !== 200 && Date.now() < deadline;) {
        ready = (await fetch(`${after.gatewayUrl}/readyz`)).status;
        if (ready !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(ready).toBe(200);
      const res = await fetch(graphqlUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ health }' }),
      });
      expect(await res.json()).toEqual({ data: { health: 'ok' } });
      expect(after.pids!.every(alive)).toBe(true);
      expect(run.output()).toMatch(/the embedded redis stopped unexpectedly and was started again/);

      expect(await interrupt(run.child)).toBe(0);
      expect(after.pids!.filter(alive)).toEqual([]);
    } finally {
      // A failed expectation must not leave `npm start` running (Jest would wait for it forever).
      if (run.child.exitCode === null && run.child.signalCode === null) await interrupt(run.child);
    }
  }, 180000);
});
