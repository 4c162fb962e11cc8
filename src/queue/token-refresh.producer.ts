import { type Queue } from 'bull';

/**
 * The repeatable job that refreshes access tokens about to expire, so interactive reads rarely pay for
 * a refresh (processed by `src/worker/token-refresh.processor.ts`). Only tokens whose expiry the vendor
 * told us are indexed (`TokenService.expiryIndexKey`); tokens without one refresh on 401 instead.
 */
export const TOKEN_REFRESH_JOB = 'token-refresh';

/**
 * Registers the repeatable job on `queue` (idempotent: Bull keys repeatable jobs by name and schedule).
 * @param everyMs run interval, default 60 s
 */
export async function scheduleTokenRefresh(queue: Queue, everyMs = 60_000): Promise<void> {
  await queue.add(
    TOKEN_REFRESH_JOB,
    {},
    { repeat: { every: everyMs }, removeOnComplete: 10, removeOnFail: 50 },
  );
}
