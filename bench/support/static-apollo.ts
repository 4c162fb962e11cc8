import http from 'node:http';
import { type AddressInfo } from 'node:net';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { expressMiddleware } from '@as-integrations/express5';
import express from 'express';

/**
 * A bare @apollo/server on the same express integration as the gateway, answering `fieldMapping` with
 * one value held in memory: no key check, no store, no limits. What a request costs in this stack with
 * nothing of ours in it — the ceiling `reads.hot.share_of_static` compares the gateway with.
 */
export async function startStaticApollo(
  typeDefs: string,
  fieldMapping: unknown,
): Promise<{ url: string; close(): Promise<void> }> {
  const apollo = new ApolloServer({
    typeDefs,
    // The gateway's own settings (src/server/http-server.ts), so neither pays for plugins the other skips.
    persistedQueries: false,
    plugins: [ApolloServerPluginCacheControlDisabled()],
    resolvers: { Query: { fieldMapping: () => fieldMapping } },
  });
  await apollo.start();
  const app = express();
  app.use('/graphql', express.json({ limit: '1mb' }), expressMiddleware(apollo));
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    async close() {
      await apollo.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
