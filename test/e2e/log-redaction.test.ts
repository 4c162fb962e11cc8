import { print } from 'graphql';
import { captureLogs } from '../support/log-capture';
import {
  ConnectionEventsDocument,
  CreateConnectionDocument,
  CreateThreeConnectionsDocument,
} from './generated/operations';
import { request, startTestGateway, type TestGateway, wsClient } from './support/gateway';

/**
 * A planted secret goes through every path a credential can take into the server (success, each kind
 * of rejection) with every log line captured at the most verbose level: it must appear in no line
 * and no response. The API key itself must not be logged either.
 */
describe('secrets stay out of logs and responses', () => {
  const SECRET = 'planted-secret-7f3a9c2e51b8';
  const logs = captureLogs('trace');
  let gw: TestGateway;
  beforeAll(async () => {
    gw = await startTestGateway({ logger: logs.logger, limits: { maxComplexity: 25 } });
  });
  afterAll(async () => {
    await gw.close();
  });

  it('createConnection, accepted or rejected, never shows the credentials', async () => {
    const { key } = await gw.tenant('redaction');
    const credentials = { accessToken: SECRET, refreshToken: SECRET, nested: { clientSecret: SECRET } };
    const responses: string[] = [];

    const ok = await request(
      gw.url,
      CreateConnectionDocument,
      { input: { crm: 'hubspot', displayName: 'ok', credentials } },
      { key },
    );
    expect(ok.body.data?.createConnection.id).toBeDefined();
    responses.push(ok.text);

    // Rejected by the resolver (unknown CRM), by class-validator, by variable coercion (a missing
    // field: graphql-js would print the whole input object), a secret where an object belongs, and
    // by the complexity limit.
    const rejected = await Promise.all([
      request(
        gw.url,
        CreateConnectionDocument,
        { input: { crm: 'nope', displayName: 'x', credentials } },
        { key },
      ),
      request(
        gw.url,
        CreateConnectionDocument,
        { input: { crm: 'hubspot', displayName: '', credentials } },
        { key },
      ),
      request(gw.url, CreateConnectionDocument, { input: { displayName: 'x', credentials } } as never, {
        key,
      }),
      request(
        gw.url,
        CreateConnectionDocument,
        { input: { crm: 'hubspot', displayName: 'x', credentials: SECRET } } as never,
        { key },
      ),
      request(
        gw.url,
        CreateThreeConnectionsDocument,
        { input: { crm: 'hubspot', displayName: 'x', credentials } },
        { key },
      ),
    ]);
    for (const r of rejected) {
      expect(r.body.errors?.[0]?.extensions?.code).toMatch(/BAD_USER_INPUT|QUERY_TOO_COMPLEX/);
      responses.push(r.text);
    }
    expect(rejected[2]!.body.errors?.[0]?.message).toBe(
      'variable $input at input: Field "crm" of required type "String!" was not provided; got an object',
    );

    // The same over the WebSocket, with the key in connectionParams.
    const client = wsClient(gw.url, `Bearer ${key}`);
    const wsErrors = await new Promise<unknown>((resolve) => {
      client.subscribe(
        { query: print(CreateConnectionDocument), variables: { input: { displayName: 'x', credentials } } },
        { next: resolve, error: resolve, complete: () => undefined },
      );
    });
    responses.push(JSON.stringify(wsErrors));
    const sub = client.subscribe(
      { query: print(ConnectionEventsDocument) },
      { next: () => undefined, error: () => undefined, complete: () => undefined },
    );
    sub();
    await client.dispose();

    expect(logs.lines.length).toBeGreaterThan(5);
    for (const line of logs.lines) {
      expect(line).not.toContain(SECRET);
      expect(line).not.toContain(key);
    }
    for (const text of responses) expect(text).not.toContain(SECRET);
  });
});
