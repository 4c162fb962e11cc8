import { print } from 'graphql';
import { captureLogs } from '../../support/log-capture';
import {
  ConnectionDocument,
  CreateConnectionDocument,
  HealthDocument,
  ViewerDocument,
} from '../generated/operations';
import { request, startTestGateway, type TestGateway, wsClient } from '../support/gateway';
import { mint } from './support';

/**
 * Every log line of a gateway at the most verbose level, while a token is minted and used on every
 * path (accepted, refused, tampered, over HTTP and WebSocket): the token appears in none of them (nor
 * its signature), and the lines of its operations name its subject and minting key instead.
 */
describe('access tokens in logs', () => {
  const logs = captureLogs('trace');
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ logger: logs.logger });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('log the subject and key id, never the token', async () => {
    const { tenantId, key } = await gw.tenant('toklog');
    // Stored directly: no vendor is called on these paths.
    const connection = await gw.ctx.store.connections.create({
      tenantId,
      crm: 'hubspot',
      displayName: 'log test',
      credentials: { accessToken: 'not-used' },
    });
    const keyId = (await gw.ctx.store.apiKeys.listForTenant(tenantId))[0]!.id;
    const token = await mint(gw.url, key, { connectionIds: [connection.id], subject: 'user-logged-77' });
    const signature = token.split('.')[2]!;
    const tampered = `${token.slice(0, -6)}AAAAAA`;

    expect(
      (await request(gw.url, ViewerDocument, undefined, { authorization: `Bearer ${token}` })).status,
    ).toBe(200);
    await request(gw.url, ConnectionDocument, { id: connection.id }, { authorization: `Bearer ${token}` });
    await request(
      gw.url,
      CreateConnectionDocument,
      { input: { crm: 'hubspot', displayName: 'x', credentials: { accessToken: 'x' } } },
      { authorization: `Bearer ${token}` },
    );
    expect(
      (await request(gw.url, ViewerDocument, undefined, { authorization: `Bearer ${tampered}` })).status,
    ).toBe(401);
    for (const presented of [token, tampered]) {
      await new Promise<void>((resolve) => {
        const client = wsClient(gw.url, presented, () => resolve());
        client.subscribe(
          { query: print(HealthDocument) },
          {
            next: () => void client.dispose(),
            error: () => resolve(),
            complete: () => void client.dispose(),
          },
        );
      });
    }

    const text = logs.text();
    expect(text).not.toContain(token);
    expect(text).not.toContain(signature);
    expect(text).not.toContain(tampered.split('.')[2]!);
    const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.find((l) => l.msg === 'access token minted')).toMatchObject({
      subject: 'user-logged-77',
      keyId,
    });
    const operations = lines.filter((l) => l.msg === 'graphql operation' && l.subject === 'user-logged-77');
    expect(operations.length).toBeGreaterThanOrEqual(2);
    for (const line of operations) expect(line).toMatchObject({ keyId, tenantId });
  });
});
