import { captureLogs } from '../support/log-capture';
import { ViewerDocument } from './generated/operations';
import { request, startTestGateway, type TestGateway } from './support/gateway';

/** One log line per operation, bound to its request and tenant; none when the level is above info. */
describe('the per-operation log line', () => {
  const at = (level: string) => {
    const logs = captureLogs(level);
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ logger: logs.logger });
    });
    afterAll(async () => {
      await gw.close();
    });
    return { logs, gateway: () => gw };
  };

  describe('at info', () => {
    const { logs, gateway } = at('info');
    it('names the operation and result, with the request id and tenant bound', async () => {
      const { tenantId, key } = await gateway().tenant('oplog');
      await request(gateway().url, ViewerDocument, undefined, { key });
      await request(gateway().url, ViewerDocument, undefined, { key });
      const lines = logs.lines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .filter((l) => l.msg === 'graphql operation');
      expect(lines).toHaveLength(2);
      for (const line of lines) {
        expect(line).toMatchObject({ operation: 'Viewer', type: 'query', result: 'ok', tenantId });
        expect(line.requestId).toEqual(expect.stringMatching(/^[0-9a-f-]{36}$/));
      }
      expect(lines[0]!.requestId).not.toBe(lines[1]!.requestId);
    });
  });

  describe('at warn', () => {
    const { logs, gateway } = at('warn');
    it('writes none', async () => {
      const { key } = await gateway().tenant('oplog-quiet');
      await request(gateway().url, ViewerDocument, undefined, { key });
      expect(logs.text()).not.toContain('graphql operation');
    });
  });
});
