import { closeShared } from './hubspot.target';
import { describeConformance } from './conformance-suite';
import { hubspotTarget } from './hubspot.target';

afterAll(closeShared);

describeConformance(hubspotTarget);
