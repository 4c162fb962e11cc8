import { describeConformance } from './conformance-suite';
import { hubspotTarget } from './hubspot.target';

describeConformance(hubspotTarget);
