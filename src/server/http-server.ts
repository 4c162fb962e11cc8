import http from 'node:http';
import { type AddressInfo } from 'node:net';
import express from 'express';
import { type AppContext } from '../runtime/context';
import { healthRouter } from './health';

export interface GatewayServer {
  server: http.Server;
  url: string;
  close(): Promise<void>;
}

/** Builds the gateway's HTTP server and listens. `port: 0` picks a free port (tests). */
export async function startGatewayServer(
  ctx: AppContext,
  options: { host: string; port: number },
): Promise<GatewayServer> {
  const app = express();
  app.disable('x-powered-by');
  app.use(healthRouter(ctx));
  const server = http.createServer(app);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    server,
    url: `http://${options.host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
