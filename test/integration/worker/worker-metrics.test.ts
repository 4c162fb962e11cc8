import { freePort } from '../../../src/runtime/services';
import { KeyRing } from '../../../src/security/credentials-cipher';
import { testStoreUrls, uniqueName } from '../../support/stores';
import { startWorkerProcess, type WorkerProcess, workerEnv } from '../../support/worker-process';

/**
 * A worker run on its own (`npm run worker`) serves its metrics — the write engine's and sync's counters
 * live in that process, not in any gateway — on WORKER_METRICS_PORT, `/metrics` only, and none without it.
 */

jest.setTimeout(90_000);

let worker: WorkerProcess | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

function env(extra: Record<string, string>): Record<string, string> {
  return {
    ...workerEnv(
      { NODE_ENV: 'test' },
      {
        ...testStoreUrls(),
        name: uniqueName('worker-metrics'),
        credentialsKeys: KeyRing.generateSpec('metrics'),
      },
    ),
    ...extra,
  };
}

it('serves the process metrics, store counters by collection among them, on its own port', async () => {
  const port = await freePort();
  worker = await startWorkerProcess(env({ WORKER_METRICS_PORT: String(port) }));
  const res = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  // The worker's start-up read its connections: the store counters name the command and collection.
  expect(text).toMatch(/^cgw_store_commands_total\{command="find",collection="connections"\} [1-9]/m);
  expect(text).toContain('cgw_store_documents_returned_total');
  expect(text).toContain('cgw_write_operations_total');
  expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
});

it('serves none when WORKER_METRICS_PORT is unset', async () => {
  const port = await freePort();
  worker = await startWorkerProcess(env({}));
  await expect(fetch(`http://127.0.0.1:${port}/metrics`)).rejects.toThrow();
});
