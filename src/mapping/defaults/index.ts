import { type CrmKind } from '../../config/crms';
import { type CrmMappingDefaults } from '../types';
import { hubspotMapping } from './hubspot';
import { salesforceMapping } from './salesforce';

/**
 * Default mapping per declared CRM. Typed by {@link CrmKind}, so declaring a CRM in `config/crms.ts`
 * without a default mapping here does not compile.
 */
export const DEFAULT_MAPPINGS: Readonly<Record<CrmKind, CrmMappingDefaults>> = {
  salesforce: salesforceMapping,
  hubspot: hubspotMapping,
};
