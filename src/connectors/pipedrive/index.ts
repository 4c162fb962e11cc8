import { type CrmDefinition } from '../definition';
import { pipedriveDeclaration } from './declaration';
import { pipedriveMapping } from './default-mapping';
import { pipedriveHooks } from './hooks';
import { createPipedriveConnector } from './pipedrive.connector';
import { pipedriveRevocation } from './revocation';
import { pipedriveWebhookDeliveries } from './webhook-deliveries';

/**
 * Pipedrive, as the framework sees it (listed in `src/connectors/registry.ts`). OAuth tokens follow
 * RFC 6749 with Basic client authentication (declared), plus `api_domain`, the company's host, which
 * the declaration's `tokenApiHost` checks. Revocation (`revocation.ts`) authenticates the client too.
 */
export const pipedrive: CrmDefinition = {
  declaration: pipedriveDeclaration,
  create: createPipedriveConnector,
  hooks: pipedriveHooks,
  defaultMapping: pipedriveMapping,
  webhooks: pipedriveWebhookDeliveries,
  revocation: pipedriveRevocation,
};
