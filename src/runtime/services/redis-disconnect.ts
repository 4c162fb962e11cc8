import { type RedisClient } from '../../redis/client';

/**
 * Closes an ioredis client at once, leaving nothing behind that keeps the process alive.
 *
 * `Redis#disconnect()` ends the socket and arms a 2 s timer (ioredis `disconnectTimeout`, not
 * unref'd) that only the socket's `close` event clears. A client whose connection was refused or lost
 * has closed its socket already, so that event never comes again and the process lingers 2 s after its
 * work is done: Jest reported it as "A worker process has failed to exit gracefully". A client that
 * has ended (`status === 'end'`) has nothing left to close, so it is left alone.
 */
export function disconnectRedis(client: RedisClient): void {
  if (client.status === 'end') return;
  client.disconnect();
}
