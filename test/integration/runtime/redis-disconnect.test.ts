import net from 'node:net';
import Redis from 'ioredis';
import { disconnectRedis } from '../../../src/runtime/services/redis-disconnect';
import { testStoreUrls } from '../../support/stores';

/** Timers alive in this process now (Node's own count; Jest's fake timers are not in use here). */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

async function refusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('disconnectRedis', () => {
  it('leaves no timer behind for a client whose connection was refused', async () => {
    const client = new Redis({
      port: await refusedPort(),
      host: '127.0.0.1',
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toThrow();
    await new Promise((resolve) => setImmediate(resolve));
    const before = timers();
    disconnectRedis(client);
    // ioredis's own disconnect() would add a 2 s timer here that nothing clears.
    expect(timers()).toBe(before);
    expect(client.status).toBe('end');
  });

  it('closes a connected client', async () => {
    const client = new Redis(testStoreUrls().redisUrl, { lazyConnect: true });
    await client.connect();
    const closed = new Promise<void>((resolve) => client.once('end', () => resolve()));
    disconnectRedis(client);
    await closed;
    expect(client.status).toBe('end');
  });
});
