import { budgetRemainingRecorder, recordVendorCall } from '../../../src/connectors/metrics';
import { metricsRegistry } from '../../../src/metrics';

describe('connector metrics', () => {
  it('count calls, errors by code, rate limits and budget remaining on /metrics', async () => {
    recordVendorCall({ crm: 'hubspot', method: 'GET', status: 200, durationMs: 20, rateLimited: false });
    recordVendorCall({
      crm: 'hubspot',
      method: 'GET',
      status: 429,
      durationMs: 5,
      rateLimited: true,
      errorCode: 'RATE_LIMITED',
    });
    recordVendorCall({
      crm: 'salesforce',
      method: 'POST',
      status: 0,
      durationMs: 5,
      rateLimited: false,
      errorCode: 'UNAVAILABLE',
    });
    budgetRemainingRecorder('hubspot', 'conn-1')('burst', 42);
    const text = await metricsRegistry.metrics();
    expect(text).toContain('cgw_vendor_calls_total{crm="hubspot",method="GET",status_class="2xx"} 1');
    expect(text).toContain('cgw_vendor_calls_total{crm="hubspot",method="GET",status_class="4xx"} 1');
    expect(text).toContain('cgw_vendor_calls_total{crm="salesforce",method="POST",status_class="0xx"} 1');
    expect(text).toContain('cgw_vendor_errors_total{crm="hubspot",code="RATE_LIMITED"} 1');
    expect(text).toContain('cgw_vendor_errors_total{crm="salesforce",code="UNAVAILABLE"} 1');
    expect(text).toContain('cgw_vendor_rate_limited_total{crm="hubspot"} 1');
    expect(text).toContain('cgw_budget_remaining{crm="hubspot",connection="conn-1",budget="burst"} 42');
  });
});
