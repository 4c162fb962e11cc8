import { type CrmConnector, type CrmObject } from '../connectors/types';
import { type CrmServices } from '../runtime/crm-services';
import { type Store } from '../store';
import { type ConnectionView } from '../store/repositories/connections.repo';
import { type EffectiveMapping, storedMappingSource } from './mappings';
import { readFieldsOf } from './read-fields';
import { ReadMetadata } from './read-metadata';

export interface BackgroundReadDeps {
  store: Pick<Store, 'fieldMappings'>;
  crm: Pick<CrmServices, 'connectorFor'>;
}

/**
 * A connection's read metadata for background work (a write's read-back, sync): the read path's own
 * mappings and connectors, on the `background` lane, so a record read by a worker maps exactly as a
 * read through the API shows it. Fresh per unit of work, like a request's.
 */
export async function backgroundMetadata(
  deps: BackgroundReadDeps,
  connection: ConnectionView,
): Promise<ReadMetadata> {
  const source = storedMappingSource(deps.store.fieldMappings);
  const [contact, deal] = await Promise.all(
    (['contact', 'deal'] as const).map((o) => source.effective(connection.crm, connection.id, o)),
  );
  const mapped: Record<CrmObject, EffectiveMapping> = { contact: contact!, deal: deal! };
  const connector = (extra = {}): CrmConnector =>
    deps.crm.connectorFor(connection, 'background', { readFields: readFieldsOf(mapped, extra) });
  return new ReadMetadata(connection, connector, mapped);
}
