import { registerEnumType } from 'type-graphql';
import { type CrmObject } from '../../connectors/types';

/** The canonical objects, as a GraphQL enum whose internal values are the connector's names. */
export const CrmObjectEnum: Readonly<Record<'CONTACT' | 'DEAL', CrmObject>> = {
  CONTACT: 'contact',
  DEAL: 'deal',
};
registerEnumType(CrmObjectEnum, { name: 'CrmObject', description: 'A canonical object: CONTACT or DEAL.' });
