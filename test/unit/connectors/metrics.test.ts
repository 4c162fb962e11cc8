import {
  budgetRefusalRecorder,
  budgetRemainingRecorder,
  recordVendorCall,
} from '../../../src/connectors/metrics';
import { metricsRegistry } from '../../../src/metrics';

describe('connector metrics', () => {
  it('count calls, errors by code, rate limits and budget remaining per CRM and connection on /metrics', async () => {
    recordVendorCall({
      crm: 'hubspot',
      connectionId: 'conn-1',
      method: 'GET',
      status: 200,
      durationMs: 20,
      rateLimited: false,
    });
    recordVendorCall({
      crm: 'hubspot',
      connectionId: 'conn-2',
      method: 'GET',
      status: 200,
      durationMs: 20,
      rateLimited: false,
    });
    recordVendorCall({
      crm: 'hubspot',
      connectionId: 'conn-1',
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
    budgetRefusalRecorder('hubspot', 'conn-2')('search', 'background');
    budgetRefusalRecorder('hubspot', 'conn-2')('search', 'background');
    budgetRefusalRecorder('hubspot', 'conn-1')('burst', 'interactive');
    const text = await metricsRegistry.metrics();
    expect(text).toContain(
      'cgw_vendor_calls_total{crm="hubspot",connection="conn-1",method="GET",status_class="2xx"} 1',
    );
    expect(text).toContain(
      'cgw_vendor_calls_total{crm="hubspot",connection="conn-2",method="GET",status_class="2xx"} 1',
    );
    expect(text).toContain(
      'cgw_vendor_calls_total{crm="hubspot",connection="conn-1",method="GET",status_class="4xx"} 1',
    );
    // A call outside any connection (a token endpoint while connecting).
    expect(text).toContain(
      'cgw_vendor_calls_total{crm="salesforce",connection="none",method="POST",status_class="0xx"} 1',
    );
    expect(text).toContain(
      'cgw_vendor_errors_total{crm="hubspot",connection="conn-1",code="RATE_LIMITED"} 1',
    );
    expect(text).toContain(
      'cgw_vendor_errors_total{crm="salesforce",connection="none",code="UNAVAILABLE"} 1',
    );
    expect(text).toContain('cgw_vendor_rate_limited_total{crm="hubspot",connection="conn-1"} 1');
    expect(text).not.toContain('cgw_vendor_rate_limited_total{crm="hubspot",connection="conn-2"}');
    expect(text).toContain('cgw_budget_remaining{crm="hubspot",connection="conn-1",budget="burst"} 42');
    expect(text).toContain(
      'cgw_budget_refusals_total{crm="hubspot",connection="conn-2",budget="search",priority="background"} 2',
    );
    expect(text).toContain(
      'cgw_budget_refusals_total{crm="hubspot",connection="conn-1",budget="burst",priority="interactive"} 1',
    );
  });
});
