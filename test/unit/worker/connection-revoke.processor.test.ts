import { type Job } from 'bull';
import { type Counter } from 'prom-client';
import { NO_OVERRIDES } from '../../../src/connectors/ssrf';
import { RevocationError, type revokeGrant } from '../../../src/connectors/tokens/revoke-grant';
import { metricsRegistry } from '../../../src/metrics';
import { type ConnectionRevokeJobData } from '../../../src/queue/system.producer';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { processConnectionRevoke } from '../../../src/worker/connection-revoke.processor';

/**
 * The revocation job: decrypts the credentials it carries with the key ring (AAD: the connection id),
 * retries a vendor that is down on the job's backoff, counts `failed` after the last attempt or at once
 * on a definitive refusal, and never logs a secret.
 */
const ring = new KeyRing([{ kid: 'k1', key: Buffer.alloc(32, 7) }]);
const SECRET = {
  authKind: 'oauth2_code',
  accessToken: 'acc-SECRET',
  refreshToken: 'ref-SECRET',
  expiresAt: null,
};

function job(attemptsMade: number, attempts = 3, connectionId = 'c1'): Job<ConnectionRevokeJobData> {
  return {
    data: { connectionId, crm: 'hubspot', vendorUrls: {}, credentials: ring.encryptJson(SECRET, 'c1') },
    attemptsMade,
    opts: { attempts },
  } as unknown as Job<ConnectionRevokeJobData>;
}

async function failedCount(): Promise<number> {
  const counter = metricsRegistry.getSingleMetric('cgw_connection_revocations_total') as Counter;
  const values = (await counter.get()).values;
  return values.find((v) => v.labels.crm === 'hubspot' && v.labels.outcome === 'failed')?.value ?? 0;
}

function setup(revoke: typeof revokeGrant) {
  const lines: unknown[] = [];
  const logger = { info: (o: unknown) => lines.push(o), warn: (o: unknown) => lines.push(o) };
  const process = processConnectionRevoke({ keyRing: ring, policy: NO_OVERRIDES, logger, revoke });
  return { process, logged: () => JSON.stringify(lines) };
}

it('hands the decrypted credentials to the revocation and logs the outcome without them', async () => {
  const revoke = jest.fn(async () => ({ outcome: 'revoked' as const, detail: 'HubSpot revoked the grant' }));
  const { process, logged } = setup(revoke);
  await expect(process(job(0))).resolves.toEqual({ outcome: 'revoked', detail: 'HubSpot revoked the grant' });
  expect(revoke).toHaveBeenCalledWith(expect.objectContaining({ connectionId: 'c1', credentials: SECRET }));
  expect(logged()).not.toMatch(/SECRET/);
});

it('throws a retryable failure before the last attempt, and counts it failed at the last', async () => {
  const revoke = jest.fn(async () => {
    throw new RevocationError('HubSpot token revocation failed: HTTP 503', true);
  });
  const { process, logged } = setup(revoke);
  const before = await failedCount();
  await expect(process(job(0))).rejects.toMatchObject({ retryable: true });
  await expect(process(job(1))).rejects.toMatchObject({ retryable: true });
  expect(await failedCount()).toBe(before);
  await expect(process(job(2))).resolves.toEqual({
    outcome: 'failed',
    detail: 'HubSpot token revocation failed: HTTP 503',
  });
  expect(await failedCount()).toBe(before + 1);
  expect(logged()).not.toMatch(/SECRET/);
});

it('counts a definitive refusal failed at once, without retrying', async () => {
  const { process } = setup(async () => {
    throw new RevocationError('HubSpot token revocation failed: HTTP 401', false);
  });
  const before = await failedCount();
  await expect(process(job(0))).resolves.toMatchObject({ outcome: 'failed' });
  expect(await failedCount()).toBe(before + 1);
});

it('does not open credentials copied onto another connection (AAD), and logs only our message', async () => {
  const revoke = jest.fn();
  const { process, logged } = setup(revoke);
  await expect(process(job(0, 3, 'c2'))).resolves.toMatchObject({ outcome: 'failed' });
  expect(revoke).not.toHaveBeenCalled();
  expect(logged()).toMatch(/credentials failed authentication/);
});

it('never logs the message of an error it did not write', async () => {
  const { process, logged } = setup(async () => {
    throw new TypeError('Invalid URL: https://x/oauth/v1/refresh-tokens/ref-SECRET');
  });
  await expect(process(job(2))).resolves.toEqual({ outcome: 'failed', detail: 'unexpected TypeError' });
  expect(logged()).not.toMatch(/SECRET/);
});
