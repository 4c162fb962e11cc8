import {
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { PUBLIC_EXTENSION } from './public.decorator';

/**
 * Whether an operation selects a root field that needs an API key (anything not `@Public()`, nor
 * introspection). The HTTP path asks this before execution, so a request without a key that could only
 * fail answers 401 like a request with a bad key, instead of 200 with an error per field; the
 * root-field guard (authorize-root-fields.ts) stays the rule for whatever runs.
 */
export function operationNeedsKey(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
): boolean {
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'subscription'
        ? schema.getSubscriptionType()
        : schema.getQueryType();
  if (!root) return false;
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  return selectsProtectedField(root, operation.selectionSet, fragments, new Set());
}

function selectsProtectedField(
  root: GraphQLObjectType,
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  visited: Set<string>,
): boolean {
  const fields = root.getFields();
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      if (name.startsWith('__')) continue;
      // An unknown field fails validation before this is asked; treat it as protected all the same.
      if (fields[name]?.extensions?.[PUBLIC_EXTENSION] !== true) return true;
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      if (selectsProtectedField(root, sel.selectionSet, fragments, visited)) return true;
    } else if (!visited.has(sel.name.value)) {
      visited.add(sel.name.value);
      const fragment = fragments.get(sel.name.value);
      if (fragment && selectsProtectedField(root, fragment.selectionSet, fragments, visited)) return true;
    }
  }
  return false;
}
