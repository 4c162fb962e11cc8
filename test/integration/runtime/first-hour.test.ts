import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '../../..');
const spawned: ChildProcess[] = [];

function baseEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn' };
  for (const name of ['MONGODB_URI', 'REDIS_URL', 'CREDENTIALS_KEYS', 'NODE_ENV', 'SANDBOX_BASE_PORT'])
    delete env[name];
  return env;
}

/** Runs an npm script as a terminal would: in its own process group, so Ctrl-C reaches npm and node. */
function npmRun(
  args: string[],
  env: NodeJS.ProcessEnv,
  readyLine: string,
): { child: ChildProcess; output: () => string; ready: Promise<string> } {
  const child = spawn('npm', ['run', '-s', ...args], { cwd: ROOT, env, detached: true, stdio: 'pipe' });
  spawned.push(child);
  let out = '';
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes(readyLine)) resolve(out);
    });
    child.once('exit', (code) => reject(new Error(`npm run ${args[0]} exited with ${code}:\n${out}`)));
  });
  ready.catch(() => undefined);
  return { child, output: () => out, ready };
}

/**
 * Ctrl-C in a terminal: SIGINT to every process of the foreground group (npm and what it runs). What
 * npm ends with: 0, or the SIGINT it re-raises on itself once its script has exited on its own terms;
 * a script that failed to stop cleanly makes it exit 1.
 */
function ctrlC(child: ChildProcess): Promise<number | string | null> {
  const exited = new Promise<number | string | null>((r) =>
    child.once('exit', (code, signal) => r(code ?? signal)),
  );
  process.kill(-child.pid!, 'SIGINT');
  return exited;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

describe('the first hour of a new user', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'cgw-hour-'));
  afterEach(() => {
    // A failed test leaves nothing behind: whatever of its process group still runs is killed.
    for (const child of spawned.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  });
  afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('npm start names the sandbox credentials route; a second gateway serves its demo; one Ctrl-C drains (in-flight request done, no "second signal")', async () => {
    const env = { ...baseEnv(dataDir), SANDBOX_BASE_PORT: '0' };
    const run = npmRun(['start'], env, 'Ctrl-C stops everything.');
    let out: string;
    try {
      out = await run.ready;
    } catch (err) {
      if (run.child.exitCode === null) process.kill(-run.child.pid!, 'SIGKILL');
      throw err;
    }
    const key = /API key\s+(cgw_\S+)/.exec(out)![1];
    const graphqlUrl = /gateway\s+(http:\/\/\S+\/graphql)/.exec(out)![1];
    const credentialsUrl = /credentials (http:\/\/\S+\/__sandbox\/orgs\/default\/credentials)/.exec(out)?.[1];
    expect(credentialsUrl).toBeDefined();
    const creds = (await (await fetch(credentialsUrl!)).json()) as { clientId?: string };
    expect(typeof creds.clientId).toBe('string');

    const sfBase = /sandbox\s+salesforce\s+(http:\/\/\S+)/.exec(out)![1];
    const connectionId = /connection\s+salesforce\s+([0-9a-f]{24})/.exec(out)![1];
    const contactsQuery = JSON.stringify({
      query: 'query($c: ID!) { contacts(connectionId: $c, first: 2) { edges { node { id } } } }',
      variables: { c: connectionId },
    });

    // A second gateway beside it, as the README describes, with no extra variables, serves the demo.
    const second = npmRun(['gateway'], { ...baseEnv(dataDir), LOG_LEVEL: 'info' }, 'gateway listening');
    const secondUrl = /"url":"(http:\/\/[^"]+)"/.exec(await second.ready)![1];
    const viaSecond = await fetch(`${secondUrl}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: contactsQuery,
    });
    const secondBody = (await viaSecond.json()) as {
      data?: { contacts: { edges: unknown[] } };
      errors?: unknown;
    };
    expect(secondBody.errors).toBeUndefined();
    expect(secondBody.data!.contacts.edges).toHaveLength(2);
    expect([0, 'SIGINT']).toContain(await ctrlC(second.child));

    // Connecting the CRM again (as for a NEEDS_REAUTH connection) goes to the sandbox's authorize page.
    const reconnect = await fetch(
      `${graphqlUrl.replace(/\/graphql$/, '')}/oauth/salesforce/start?connectionId=${connectionId}`,
      {
        headers: { authorization: `Bearer ${key}` },
        redirect: 'manual',
      },
    );
    expect(reconnect.status).toBe(302);
    const authorize = new URL(reconnect.headers.get('location')!);
    expect(authorize.origin).toBe(new URL(sfBase).origin);
    const approved = await fetch(authorize, { redirect: 'manual' });
    const done = await fetch(approved.headers.get('location')!);
    expect(await done.json()).toMatchObject({ connectionId, change: 'REAUTHORIZED' });

    // A contacts query held at the Salesforce sandbox while Ctrl-C arrives.
    const slow = await fetch(`${sfBase}/__sandbox/orgs/default/faults`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ latencyMs: 3000 }),
    });
    expect(slow.status).toBe(200);
    const inFlight = fetch(graphqlUrl, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: contactsQuery,
    });
    await new Promise((r) => setTimeout(r, 1000));
    const code = await ctrlC(run.child);

    const res = await inFlight;
    const body = (await res.json()) as { data?: { contacts: { edges: unknown[] } }; errors?: unknown };
    expect(body.errors).toBeUndefined();
    expect(body.data!.contacts.edges).toHaveLength(2);
    expect(run.output()).not.toContain('second signal');
    expect([0, 'SIGINT']).toContain(code);
  }, 120000);

  it('npm run sandbox listens on SANDBOX_BASE_PORT and says where the credentials are', async () => {
    const port = await freePort();
    const run = npmRun(
      ['sandbox', '--', '--only=salesforce'],
      { ...baseEnv(dataDir), SANDBOX_BASE_PORT: String(port) },
      'Ctrl-C to stop',
    );
    try {
      const out = await run.ready;
      expect(out).toContain(`salesforce: http://127.0.0.1:${port}`);
      expect(out).toContain(`http://127.0.0.1:${port}/__sandbox/orgs/default/credentials`);
    } finally {
      if (run.child.exitCode === null) expect([0, 'SIGINT']).toContain(await ctrlC(run.child));
    }
  }, 60000);
});
