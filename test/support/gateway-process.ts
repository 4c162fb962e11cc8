import { type NodeProcess, startNodeProcess } from './node-process';

/**
 * A real gateway (the compiled `dist/bin/gateway.js`, as `npm run gateway` runs it) in a process of
 * its own: one instance of a fleet behind a load balancer, which a test can `kill -9`, SIGTERM (it
 * drains) and start again. Its env is a stack's `gatewayEnv(port)` over the deployment's stores
 * (`processEnv` of ./node-process): a fixed port keeps its URL, and so its webhook URLs and OAuth
 * callbacks (PUBLIC_URL defaults to its own address), across restarts. Needs `npm run -s build` first.
 */
export interface GatewayProcess extends NodeProcess {
  /** The URL the gateway reported when it became ready. */
  readonly url: string;
}

export async function startGatewayProcess(env: Record<string, string>): Promise<GatewayProcess> {
  if (env.PORT === undefined || env.PORT === '0') {
    // PORT=0 would make the gateway's public URL (webhook signatures, OAuth callbacks) `…:0`.
    throw new Error('a gateway process needs a fixed PORT (freePort()), not 0');
  }
  const node = await startNodeProcess({ bin: 'gateway', env });
  // Read from each start's ready message (the same port, so the same URL, unless the env changes).
  return Object.defineProperty(node, 'url', {
    get(): string {
      const { url } = node.ready;
      if (typeof url !== 'string')
        throw new Error(`no URL in the gateway's ready message: ${JSON.stringify(node.ready)}`);
      return url;
    },
  }) as GatewayProcess;
}
