import fs from 'node:fs';
import path from 'node:path';

/**
 * The README may only promise what the code does. Webhook ingest is the claim most easily made early:
 * the connector can verify and parse HubSpot deliveries before the gateway has a route receiving them.
 */
const ROOT = path.resolve(__dirname, '../../..');
const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');

function serverSources(): string {
  const dir = path.join(ROOT, 'src/server');
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => fs.readFileSync(path.join(dir, f), 'utf8'))
    .join('\n');
}

function hubspotWebhooksParagraph(): string {
  const match = /^\*\*Webhooks\.\*\*([\s\S]*?)(?:\n\n|$)/m.exec(readme.slice(readme.indexOf('### HubSpot')));
  if (!match) throw new Error('README.md has no **Webhooks.** paragraph under ### HubSpot');
  return match[1]!;
}

describe('README claims about webhooks', () => {
  it('says webhooks are not received for as long as the gateway has no webhook route', () => {
    const hasRoute = /\.(post|use|all)\(\s*['"`][^'"`]*webhook/i.test(serverSources());
    const saysMissing = /no webhook endpoint/.test(hubspotWebhooksParagraph());
    expect({ hasRoute, saysMissing }).toEqual({ hasRoute, saysMissing: !hasRoute });
  });

  it('lists in the worker line only processors the worker registers', () => {
    const line = /^- \*\*worker\*\*([\s\S]*?)\n- /m.exec(readme)?.[1] ?? '';
    expect(line).not.toBe('');
    const worker = fs.readFileSync(path.join(ROOT, 'src/worker/worker.ts'), 'utf8');
    // Each claim the line may make, and the job whose processor makes it true.
    const claims: Record<string, string> = {
      'queued writes': 'WRITE_FLUSH_JOB',
      reconciler: 'WRITE_RECONCILE_JOB',
      'webhook ingest': 'WEBHOOK_INGEST_JOB',
      'token refresh': 'TOKEN_REFRESH_JOB',
      polling: 'SYNC_POLL_JOB',
      purges: 'CONNECTION_PURGE_JOB',
      'grant revocations': 'CONNECTION_REVOKE_JOB',
    };
    const unbacked = Object.entries(claims)
      .filter(([claim]) => line.includes(claim))
      .filter(([, job]) => !new RegExp(`\\[${job}\\]:`).test(worker))
      .map(([claim]) => claim);
    expect(unbacked).toEqual([]);
    expect(line).toMatch(/token refresh/);
  });
});
