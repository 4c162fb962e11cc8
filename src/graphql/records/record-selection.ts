import {
  type DocumentNode,
  type FragmentDefinitionNode,
  Kind,
  type GraphQLSchema,
  type OperationDefinitionNode,
  isAbstractType,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { type CrmObject } from '../../connectors/types';
import { IDENTITY_FIELDS } from './canonical-record.type';

/**
 * Which objects an operation reads for identity alone: a query that selects on Contact (or Deal) only
 * its id, remote id, connection, deletion state and associations needs none of the CRM's fields of
 * those records, so the connector may select just its identity columns for them (most of a nested
 * read's vendor JSON, parsing and garbage otherwise). Decided once per operation, over the whole
 * document, so one request never reads the same object both ways (its record loaders share records
 * across every path of the query).
 *
 * Conservative by construction: a mutation, a `filter` argument anywhere (filters are applied to
 * canonical fields after fetch), a field on an abstract type Contact or Deal could be, or any field
 * not known to be identity makes the object read in full.
 */

/** GraphQL object types of canonical records. */
const RECORD_TYPES: Readonly<Record<string, CrmObject>> = { Contact: 'contact', Deal: 'deal' };
/** Fields that need no CRM field of the record: identity, and associations (read by id lists). */
const NO_CRM_FIELDS = new Set<string>([...IDENTITY_FIELDS, 'id', '__typename', 'contacts', 'deals']);

const NONE: ReadonlySet<CrmObject> = new Set();
/** Per parsed operation: Apollo reuses the parsed document of a repeated query, so this runs once. */
const decided = new WeakMap<OperationDefinitionNode, ReadonlySet<CrmObject>>();

/** The objects `operation` of `document` reads for identity alone (see above). */
export function identityOnlyObjects(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): ReadonlySet<CrmObject> {
  let objects = decided.get(operation);
  if (!objects) {
    const fragments = document.definitions.filter((d) => d.kind === Kind.FRAGMENT_DEFINITION);
    objects = decide(schema, operation, fragments);
    decided.set(operation, objects);
  }
  return objects;
}

function decide(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: readonly FragmentDefinitionNode[],
): ReadonlySet<CrmObject> {
  if (operation.operation !== 'query') return NONE;
  const full = new Set<CrmObject>();
  const read = new Set<CrmObject>();
  let filtered = false;
  // Every fragment of the document counts, used or not: an unused one can only make a read fuller.
  for (const node of [operation, ...fragments]) {
    const info = new TypeInfo(schema);
    visit(
      node,
      visitWithTypeInfo(info, {
        Argument(arg) {
          if (arg.name.value === 'filter') filtered = true;
        },
        Field(field) {
          const parent = info.getParentType();
          if (!parent) return;
          const objects = isAbstractType(parent)
            ? schema
                .getPossibleTypes(parent)
                .flatMap((t) => (RECORD_TYPES[t.name] ? [RECORD_TYPES[t.name]!] : []))
            : RECORD_TYPES[parent.name]
              ? [RECORD_TYPES[parent.name]!]
              : [];
          for (const object of objects) {
            read.add(object);
            if (isAbstractType(parent) || !NO_CRM_FIELDS.has(field.name.value)) full.add(object);
          }
        },
      }),
    );
  }
  if (filtered) return NONE;
  return new Set([...read].filter((o) => !full.has(o)));
}
