/**
 * `npm run sandbox`: starts every registered vendor sandbox and prints base URLs and demo credentials.
 *   --base-port=N   vendors on N, N+1, … (a taken port falls back to a free one); default SANDBOX_BASE_PORT
 *                   (4100), as for `npm start`
 *   --free          every vendor on a free port
 *   --host=H        bind address; default 127.0.0.1
 *   --seed=N        seed for the demo orgs; default 42
 *   --only=a,b      start only these vendors
 */
import { env as processEnv } from '../config/env';
import { startAllSandboxes } from '../sandbox';

function arg(name: string): string | undefined {
  const hit = process.argv.find((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (!hit) return undefined;
  return hit.includes('=') ? hit.slice(hit.indexOf('=') + 1) : 'true';
}

async function main(): Promise<void> {
  const basePort = arg('free') ? 0 : Number(arg('base-port') ?? processEnv().SANDBOX_BASE_PORT);
  const only = arg('only');
  const running = await startAllSandboxes({
    basePort,
    host: arg('host') ?? '127.0.0.1',
    seed: arg('seed') ? Number(arg('seed')) : undefined,
    vendors: only ? only.split(',') : undefined,
  });
  for (const s of Object.values(running.sandboxes)) {
    console.log(`\n${s.vendor}: ${s.baseUrl}   (admin API: ${s.baseUrl}/__sandbox/orgs)`);
    for (const [org, creds] of Object.entries(s.credentials)) {
      console.log(`  org ${org}   (also at ${s.baseUrl}/__sandbox/orgs/${org}/credentials)`);
      for (const [key, value] of Object.entries(creds)) console.log(`    ${key.padEnd(16)} ${String(value)}`);
    }
  }
  console.log('\nSandbox credentials are demo values for local use only. Ctrl-C to stop.');
  // One Ctrl-C reaches us twice under npm (the terminal's SIGINT and npm's forwarded copy): stop once.
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void running.close().then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
