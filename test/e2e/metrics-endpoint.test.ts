import { loadEnv } from '../../src/config/env';
import { metricsExposureFromEnv } from '../../src/server/metrics-endpoint';
import { startTestGateway, type TestGateway } from './support/gateway';

/** `/metrics` names every tenant's connections: where it is served, and where not. */
describe('/metrics exposure', () => {
  it('is off the public listener in production by default, on it in development', () => {
    expect(metricsExposureFromEnv(loadEnv({ NODE_ENV: 'production' }))).toBe('off');
    expect(metricsExposureFromEnv(loadEnv({ NODE_ENV: 'development' }))).toBe('public');
    expect(metricsExposureFromEnv(loadEnv({ NODE_ENV: 'production', METRICS_PORT: '9464' }))).toEqual({
      host: '127.0.0.1',
      port: 9464,
    });
  });

  describe('with an internal listener', () => {
    let gw: TestGateway;
    beforeAll(async () => {
      gw = await startTestGateway({ metrics: { host: '127.0.0.1', port: 0 } });
    });
    afterAll(async () => {
      await gw.close();
    });

    it('serves /metrics there and not on the public port', async () => {
      expect(gw.gateway.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(gw.gateway.metricsUrl).not.toBe(`${gw.url}/metrics`);
      const internal = await fetch(gw.gateway.metricsUrl!);
      expect(internal.status).toBe(200);
      expect(await internal.text()).toMatch(/^# TYPE graphql_operations_total counter$/m);
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(404);
      expect((await fetch(gw.gateway.metricsUrl!.replace('/metrics', '/healthz'))).status).toBe(404);
    });
  });

  it('is not served at all when off', async () => {
    const gw = await startTestGateway({ metrics: 'off' });
    try {
      expect(gw.gateway.metricsUrl).toBeNull();
      expect((await fetch(`${gw.url}/metrics`)).status).toBe(404);
    } finally {
      await gw.close();
    }
  });
});
