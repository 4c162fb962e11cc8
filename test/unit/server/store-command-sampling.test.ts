import http from 'node:http';
import { type AddressInfo } from 'node:net';
import express from 'express';
import { sampleOperationStoreCommands } from '../../../src/server/operation-metrics';
import { currentStoreCommandTally } from '../../../src/store/command-count';

/**
 * The per-operation store-command tally runs for one request in N, one at a time, and is switched off
 * between them (AsyncLocalStorage costs every promise of the process while it is on).
 */
async function serve(every: number): Promise<{ url: string; seen: boolean[]; close(): Promise<void> }> {
  const seen: boolean[] = [];
  const app = express();
  app.use(sampleOperationStoreCommands(every), async (req, res) => {
    // Across an await, as a resolver would be: the tally must still be there for a sampled request.
    await new Promise((resolve) => setTimeout(resolve, Number(req.query.wait ?? 0)));
    seen.push(currentStoreCommandTally() !== undefined);
    res.end('ok');
  });
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('sampleOperationStoreCommands', () => {
  it('tallies one request in N and no other', async () => {
    const s = await serve(3);
    try {
      for (let i = 0; i < 7; i++) await (await fetch(s.url)).text();
      expect(s.seen).toEqual([true, false, false, true, false, false, true]);
    } finally {
      await s.close();
    }
  });

  it('tallies one request at a time: a request due while another is sampled waits for the next turn', async () => {
    const s = await serve(1);
    try {
      // The slow one is sampled; the quick one arrives while it runs and is not.
      const slow = fetch(`${s.url}?wait=200`).then((r) => r.text());
      await new Promise((resolve) => setTimeout(resolve, 50));
      await (await fetch(s.url)).text();
      await slow;
      expect(s.seen).toEqual([false, true]);
      // Ended: the next request is sampled again.
      await (await fetch(s.url)).text();
      expect(s.seen).toEqual([false, true, true]);
    } finally {
      await s.close();
    }
  });
});
