import { pipedriveTarget } from './pipedrive.target';
import { describeConformance } from './suite';

/**
 * Pipedrive conformance: the shared suite against the Pipedrive sandbox.
 */

describeConformance(pipedriveTarget);
