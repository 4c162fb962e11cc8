import { type CrmKind } from '../../../src/connectors/registry';
import { dynamicsTarget } from './dynamics.target';
import { hubspotTarget } from './hubspot.target';
import { pipedriveTarget } from './pipedrive.target';
import { salesforceTarget } from './salesforce.target';
import { type ConformanceSandbox, type ConformanceTarget } from './target';
import { zohoTarget } from './zoho.target';

export interface RegisteredTarget {
  target: ConformanceTarget<ConformanceSandbox>;
  /** The test file that runs the suite on it (`describeConformance(<name>)`) beside the vendor's own cases. */
  file: string;
  /** The identifier the file passes to `describeConformance`. */
  name: string;
}

/**
 * One conformance target per registered connector. A connector issue adds its line here with its
 * registry line; `conformance.test.ts` fails until it does.
 */
export const CONFORMANCE_TARGETS: Partial<Record<CrmKind, RegisteredTarget>> = {
  salesforce: {
    target: salesforceTarget,
    file: 'test/integration/conformance/salesforce.test.ts',
    name: 'salesforceTarget',
  },
  hubspot: {
    target: hubspotTarget,
    file: 'test/integration/conformance/hubspot.test.ts',
    name: 'hubspotTarget',
  },
  dynamics: {
    target: dynamicsTarget,
    file: 'test/integration/conformance/dynamics.test.ts',
    name: 'dynamicsTarget',
  },
  pipedrive: {
    target: pipedriveTarget,
    file: 'test/integration/conformance/pipedrive.test.ts',
    name: 'pipedriveTarget',
  },
  zoho: {
    target: zohoTarget,
    file: 'test/integration/conformance/zoho.test.ts',
    name: 'zohoTarget',
  },
};
