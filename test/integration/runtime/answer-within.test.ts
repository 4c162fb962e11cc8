import Redis from 'ioredis';
import { answerWithin } from '../../../src/runtime/answer-within';
import { testStoreUrls } from '../../support/stores';

/**
 * The deadline every "must answer promptly" store call goes through (budgets, the request limiter,
 * webhook intake, the worker ping), against a real Redis: another process, so its reply can arrive
 * while this process's event loop is blocked.
 */

let redis: Redis;
beforeAll(async () => {
  redis = new Redis(testStoreUrls().redisUrl, { maxRetriesPerRequest: 1 });
  await redis.ping();
});
afterAll(async () => {
  await redis.quit();
});

/** Blocks the event loop, as a long GC pause or a CPU-starved container does. */
function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer, no socket read runs meanwhile
  }
}

it('gives the answer when it comes in time', async () => {
  await expect(answerWithin(redis.ping(), 1000, () => new Error('late'))).resolves.toBe('PONG');
});

it('rejects with the caller’s error when nothing answers, and swallows the late failure', async () => {
  const never = new Promise<never>(() => undefined);
  await expect(answerWithin(never, 20, () => new Error('no answer within 20 ms'))).rejects.toThrow(
    'no answer within 20 ms',
  );
  const lateFailure = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('boom')), 50));
  await expect(answerWithin(lateFailure, 10, () => new Error('timeout'))).rejects.toThrow('timeout');
  await new Promise((r) => setTimeout(r, 80)); // an unhandled rejection would fail the test run here
});

it('lets an answer that arrived while the event loop was stalled win over the timer that fell due meanwhile', async () => {
  // The reply sits in the socket when the loop resumes, and the 10 ms timer is long overdue: Node runs
  // due timers before it polls sockets, so a plain race would report the store as not answering.
  // The stall ends in the loop's check phase, so the next phase to run is the timers'.
  const answer = new Promise<string>((resolve, reject) =>
    setImmediate(() => {
      answerWithin(redis.ping(), 10, () => new Error('no answer within 10 ms')).then(resolve, reject);
      stall(200);
    }),
  );
  await expect(answer).resolves.toBe('PONG');
});
