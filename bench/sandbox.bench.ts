/**
 * `npm run bench:sandbox`: requests per second each registered vendor sandbox sustains for the simple
 * authenticated read its vendor definition declares (`VendorDefinition.bench`: Salesforce an sObject
 * retrieve, HubSpot a contact get by id). A new vendor is measured as soon as it is in the registry.
 * The sandbox runs in a child process so the load generator does not share its event loop; clients
 * are keep-alive HTTP connections on loopback, bounded in count and time. Prints
 * `BENCH sandbox.<vendor>.rps <value> req/s`.
 *   --connections=N  concurrent clients (default 32)   --seconds=N  measured time (default 5)
 *   --no-baseline    skip the bare-fastify reference (`BENCH sandbox.baseline.fastify.rps`)
 */
import { fork, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import fastify from 'fastify';
import { sandboxRegistry } from '../src/sandbox/registry';

interface Target {
  vendor: string;
  baseUrl: string;
  path: string;
  headers: Record<string, string>;
}

function arg(name: string, fallback: number): number {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? Number(hit.split('=')[1]) : fallback;
}

/**
 * Reference point measured by the same harness: bare fastify answering a similar JSON body. On a
 * shared machine the load generator and the box set the ceiling; the sandbox should sit near it.
 */
async function serveBaseline(): Promise<void> {
  const app = fastify();
  const body = {
    attributes: { type: 'Contact', url: '/x' },
    Id: '003',
    FirstName: 'Ada',
    LastName: 'Lovelace',
    Email: 'a@b.c',
  };
  app.get('/x', async () => body);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({
    vendor: 'baseline.fastify',
    baseUrl: `http://127.0.0.1:${port}`,
    path: '/x',
    headers: {},
  } satisfies Target);
}

/** Child side: start the vendor's sandbox with its bench org, report the request to hammer, wait to be killed. */
async function serve(vendor: string): Promise<void> {
  const factory = sandboxRegistry[vendor];
  if (!factory) throw new Error(`no sandbox registered for "${vendor}"`);
  const server = factory({ orgs: [] });
  const probe = server.vendor.bench;
  if (!probe) throw new Error(`sandbox "${vendor}" declares no bench request (VendorDefinition.bench)`);
  const org = server.createOrg({ id: 'bench', ...probe.org });
  const live = await server.listen();
  process.send?.({ vendor, baseUrl: live.baseUrl, ...probe.request(org) } satisfies Target);
}

async function load(
  target: Target,
  connections: number,
  seconds: number,
): Promise<{ ok: number; failed: number; elapsed: number }> {
  const url = new URL(target.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  let ok = 0;
  let failed = 0;
  let measuring = false;
  const deadline = { at: Infinity };
  const once = (): Promise<void> =>
    new Promise((resolve) => {
      const req = http.get(
        { host: url.hostname, port: url.port, path: target.path, headers: target.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (measuring) {
              if (res.statusCode === 200) ok++;
              else failed++;
            }
            resolve();
          });
        },
      );
      req.on('error', () => {
        if (measuring) failed++;
        resolve();
      });
    });
  const client = async (): Promise<void> => {
    while (Date.now() < deadline.at) await once();
  };
  // One second of warm-up (JIT, sockets), then the measured window.
  deadline.at = Date.now() + 1000 + seconds * 1000;
  const clients = Array.from({ length: connections }, () => client());
  await new Promise((r) => setTimeout(r, 1000));
  measuring = true;
  const start = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  measuring = false;
  const elapsed = (performance.now() - start) / 1000;
  await Promise.all(clients);
  agent.destroy();
  return { ok, failed, elapsed };
}

async function measure(mode: string, connections: number, seconds: number): Promise<void> {
  const child: ChildProcess = fork(__filename, [mode], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const target = await new Promise<Target>((resolve, reject) => {
      child.once('message', (m) => resolve(m as Target));
      child.once('exit', (code) => reject(new Error(`sandbox child exited with ${String(code)}`)));
    });
    const { ok, failed, elapsed } = await load(target, connections, seconds);
    if (failed > 0) console.error(`${failed} requests failed during the measured window`);
    console.log(`BENCH sandbox.${target.vendor}.rps ${Math.round(ok / elapsed)} req/s`);
  } finally {
    child.kill();
  }
}

async function main(): Promise<void> {
  const connections = arg('connections', 32);
  const seconds = arg('seconds', 5);
  for (const vendor of Object.keys(sandboxRegistry)) await measure(`--serve=${vendor}`, connections, seconds);
  if (!process.argv.includes('--no-baseline')) await measure('--serve-baseline', connections, seconds);
}

const serveArg = process.argv.find((a) => a.startsWith('--serve='));
if (serveArg) {
  serve(serveArg.slice('--serve='.length)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else if (process.argv.includes('--serve-baseline')) {
  void serveBaseline();
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
