import {
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  getArgumentValues,
  getOperationAST,
  type GraphQLSchema,
  isCompositeType,
  Kind,
  type OperationDefinitionNode,
  type SelectionSetNode,
  TypeInfo,
  visit,
  visitWithTypeInfo,
} from 'graphql';
import { fieldExtensionsEstimator, getComplexity, simpleEstimator } from 'graphql-query-complexity';
import { type Env } from '../config/env';
import { type AppError, BadUserInputError, QueryTooComplexError } from '../errors';

/**
 * Largest request body over HTTP and largest WebSocket message (ws refuses a bigger frame from its
 * header, closing 1009, so it is never buffered). express.json's "1mb" is the same 1 MiB.
 */
export const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * Largest message a socket may send before its `connection_init` is acknowledged: an API key and a
 * few parameters fit many times over, and a socket nobody has authenticated yet holds no more.
 */
export const MAX_CONNECTION_INIT_BYTES = 16 * 1024;

/** Limits every operation must fit, over HTTP and WebSocket alike. Defaults come from the env (GRAPHQL_MAX_*). */
export interface OperationLimits {
  /** Deepest field nesting; a root field is at depth 1. Introspection (`__…`) fields are not counted. */
  maxDepth: number;
  /** Aliased fields per operation, fragments included (aliases multiply the work of one field). */
  maxAliases: number;
  /** Cost per graphql-query-complexity: 1 per field unless a field declares its own `complexity`. */
  maxComplexity: number;
  /** Largest `first` / `last` argument of any field. */
  maxPageSize: number;
}

export function limitsFromEnv(env: Env): OperationLimits {
  return {
    maxDepth: env.GRAPHQL_MAX_DEPTH,
    maxAliases: env.GRAPHQL_MAX_ALIASES,
    maxComplexity: env.GRAPHQL_MAX_COMPLEXITY,
    maxPageSize: env.GRAPHQL_MAX_PAGE_SIZE,
  };
}

/** Arguments that size a page, on any field that has them. */
const PAGE_SIZE_ARGS = ['first', 'last'];

export interface OperationToCheck {
  schema: GraphQLSchema;
  /** Parsed and validated against `schema` (fragment cycles would loop otherwise). */
  document: DocumentNode;
  operationName?: string | null;
  variables?: Record<string, unknown> | null;
}

/**
 * The first limit the operation breaks, or null. Runs after validation and before execution, so a
 * rejected operation runs no resolver.
 */
export function checkOperationLimits(op: OperationToCheck, limits: OperationLimits): AppError | null {
  const operation = getOperationAST(op.document, op.operationName ?? undefined);
  if (!operation) return null; // execution reports the missing operation
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const def of op.document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
  }
  const name = operation.name?.value ?? 'the operation';

  const depth = measureDepth(operation.selectionSet, fragments, new Map());
  if (depth > limits.maxDepth) {
    return new QueryTooComplexError(
      `${name} is nested ${depth} levels deep; the limit is ${limits.maxDepth}`,
      { details: { limit: 'depth', max: limits.maxDepth, actual: depth } },
    );
  }

  const aliases = countAliases(operation.selectionSet, fragments, new Map());
  if (aliases > limits.maxAliases) {
    return new QueryTooComplexError(`${name} uses ${aliases} aliases; the limit is ${limits.maxAliases}`, {
      details: { limit: 'aliases', max: limits.maxAliases, actual: aliases },
    });
  }

  const pageError = checkPageSizes(op, operation, fragments, limits.maxPageSize);
  if (pageError) return pageError;

  let complexity: number;
  try {
    complexity = getComplexity({
      schema: op.schema,
      query: op.document,
      operationName: op.operationName ?? undefined,
      variables: op.variables ?? {},
      estimators: [
        // Introspection is bounded by the schema, and GraphiQL's query alone would cost hundreds.
        ({ field }) => (field.name.startsWith('__') ? 0 : undefined),
        fieldExtensionsEstimator(),
        simpleEstimator({ defaultComplexity: 1 }),
      ],
    });
  } catch {
    // Variables that do not coerce: execution rejects them with a precise message, before any resolver.
    return null;
  }
  if (complexity > limits.maxComplexity) {
    return new QueryTooComplexError(`${name} costs ${complexity}; the limit is ${limits.maxComplexity}`, {
      details: { limit: 'complexity', max: limits.maxComplexity, actual: complexity },
    });
  }
  return null;
}

/** Depth of a selection set, each fragment measured once (a fragment spread many times is not re-walked). */
function measureDepth(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
): number {
  let max = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.name.value.startsWith('__')) continue;
      max = Math.max(max, 1 + (sel.selectionSet ? measureDepth(sel.selectionSet, fragments, memo) : 0));
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      max = Math.max(max, measureDepth(sel.selectionSet, fragments, memo));
    } else {
      max = Math.max(max, fragmentValue(sel.name.value, fragments, memo, measureDepth));
    }
  }
  return max;
}

/** Aliases as executed: a fragment's aliases count once per spread. */
function countAliases(
  set: SelectionSetNode,
  fragments: Map<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
): number {
  let n = 0;
  for (const sel of set.selections) {
    if (sel.kind === Kind.FIELD) {
      if (sel.alias) n += 1;
      if (sel.selectionSet) n += countAliases(sel.selectionSet, fragments, memo);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      n += countAliases(sel.selectionSet, fragments, memo);
    } else {
      n += fragmentValue(sel.name.value, fragments, memo, countAliases);
    }
  }
  return n;
}

function fragmentValue(
  name: string,
  fragments: Map<string, FragmentDefinitionNode>,
  memo: Map<string, number>,
  measure: (set: SelectionSetNode, f: Map<string, FragmentDefinitionNode>, m: Map<string, number>) => number,
): number {
  const cached = memo.get(name);
  if (cached !== undefined) return cached;
  const fragment = fragments.get(name);
  // Unknown fragments fail validation; a placeholder also stops a (validated-away) cycle.
  memo.set(name, 0);
  const value = fragment ? measure(fragment.selectionSet, fragments, memo) : 0;
  memo.set(name, value);
  return value;
}

function checkPageSizes(
  op: OperationToCheck,
  operation: OperationDefinitionNode,
  fragments: Map<string, FragmentDefinitionNode>,
  maxPageSize: number,
): AppError | null {
  const typeInfo = new TypeInfo(op.schema);
  let error: AppError | null = null;
  const check = (node: FieldNode) => {
    const field = typeInfo.getFieldDef();
    if (error || !field || !field.args.some((a) => PAGE_SIZE_ARGS.includes(a.name))) return;
    let values: Record<string, unknown>;
    try {
      values = getArgumentValues(field, node, op.variables ?? {});
    } catch {
      return; // bad variables: execution reports them
    }
    for (const arg of PAGE_SIZE_ARGS) {
      const value = values[arg];
      if (typeof value !== 'number') continue;
      if (value < 0 || value > maxPageSize) {
        error = new BadUserInputError(
          `${field.name}(${arg}:) must be between 0 and ${maxPageSize}; got ${value}`,
          { details: { argument: arg, max: maxPageSize, actual: value } },
        );
        return;
      }
    }
  };
  // Fragments are visited with their own type condition, so a page argument inside one is seen too.
  const roots = [operation, ...fragments.values()];
  for (const root of roots) {
    if (root.kind === Kind.FRAGMENT_DEFINITION) {
      const type = op.schema.getType(root.typeCondition.name.value);
      if (!type || !isCompositeType(type)) continue;
    }
    visit(root, visitWithTypeInfo(typeInfo, { Field: check }));
    if (error) break;
  }
  return error;
}
