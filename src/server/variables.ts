import {
  type DocumentNode,
  coerceInputValue,
  getOperationAST,
  type GraphQLError,
  type GraphQLInputType,
  isInputType,
  isNonNullType,
  typeFromAST,
  valueFromAST,
} from 'graphql';
import { type AppError, BadUserInputError } from '../errors';
import { BoundedLru } from './bounded-lru';
import { describeValue } from './format-error';
import { checkOperationLimits, type OperationLimits, type OperationToCheck } from './limits';

/**
 * Coerces the variables ourselves before execution does, to word the errors our way: graphql-js's
 * own message repeats the rejected value, and for a missing field that value is the whole input object
 * (credentials included). Ours say where, what was expected, and what kind of value arrived.
 */
export function checkVariables(op: OperationToCheck): AppError | null {
  const operation = getOperationAST(op.document, op.operationName ?? undefined);
  if (!operation) return null;
  const inputs = op.variables ?? {};
  for (const def of operation.variableDefinitions ?? []) {
    const name = def.variable.name.value;
    const type = typeFromAST(op.schema, def.type as never) as GraphQLInputType | undefined;
    if (!type || !isInputType(type)) continue; // validation already rejected it
    const provided = Object.prototype.hasOwnProperty.call(inputs, name);
    if (!provided) {
      if (def.defaultValue && valueFromAST(def.defaultValue, type) !== undefined) continue;
      if (isNonNullType(type)) {
        return new BadUserInputError(`variable $${name} of type ${String(type)} was not provided`);
      }
      continue;
    }
    let first: { path: readonly (string | number)[]; value: unknown; error: GraphQLError } | undefined;
    coerceInputValue(inputs[name], type, (path, value, error) => {
      first ??= { path, value, error };
    });
    if (first) {
      const at = [name, ...first.path]
        .map((p) => (typeof p === 'number' ? `[${p}]` : p))
        .join('.')
        .replace(/\.\[/g, '[');
      return new BadUserInputError(
        `variable $${name} at ${at}: ${stripValue(first.error.message)}; got ${describeKind(first.value)}`,
      );
    }
  }
  return null;
}

/**
 * What arrived, without repeating a string: a variable may be a secret sent to the wrong place (a
 * token where an object was expected), and this message is returned and may be logged.
 */
function describeKind(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return describeValue(value);
}

/** graphql-js scalar messages end in ": <the value>"; ours say the kind of value instead. */
function stripValue(message: string): string {
  return message.replace(/:\s.*$/s, '').replace(/\.$/, '');
}

/**
 * The checks are a pure function of the document, the operation name, the variables and the limits,
 * and a client repeating an operation should not pay for three AST walks every time. Documents are
 * told apart by identity (Apollo, and the WebSocket path's document cache, hand back the same
 * DocumentNode for the same text); the variables are part of the key because the page-size and
 * complexity checks read them (`first: $n`, a list's length).
 *
 * Memory bound: at most {@link MAX_CHECKED} verdicts and {@link MAX_CHECKED_BYTES} counted as two bytes
 * a key character plus {@link RESULT_BYTES} a verdict (null, or one error of a few hundred bytes).
 * Variables over {@link MAX_CACHED_VARIABLES_CHARS} characters of JSON are checked every time, never
 * kept, so one verdict's key stays under about 8 KiB.
 */
const MAX_CHECKED = 5000;
const MAX_CHECKED_BYTES = 8 * 1024 * 1024;
const MAX_CACHED_VARIABLES_CHARS = 4096;
/** What a result costs beside its key (the entry, and an error when there is one). */
const RESULT_BYTES = 512;
const checked = new BoundedLru<AppError | null>(MAX_CHECKED, MAX_CHECKED_BYTES);
const documentIds = new WeakMap<DocumentNode, number>();
let nextDocumentId = 0;

/** Everything checked between validation and execution, in order: variables, then limits. */
export function checkOperation(op: OperationToCheck, limits: OperationLimits): AppError | null {
  // Mutation variables may carry credentials, which no cache should keep.
  const type = getOperationAST(op.document, op.operationName ?? undefined)?.operation;
  const variables = type === 'mutation' ? undefined : JSON.stringify(op.variables ?? {});
  if (variables === undefined || variables.length > MAX_CACHED_VARIABLES_CHARS) {
    return checkVariables(op) ?? checkOperationLimits(op, limits);
  }
  let id = documentIds.get(op.document);
  if (id === undefined) documentIds.set(op.document, (id = nextDocumentId++));
  const key = `${id}\0${op.operationName ?? ''}\0${limitsKey(limits)}\0${variables}`;
  const hit = checked.get(key);
  if (hit !== undefined) return hit;
  const result = checkVariables(op) ?? checkOperationLimits(op, limits);
  // UTF-16: two bytes a character.
  checked.set(key, result, 2 * key.length + RESULT_BYTES);
  return result;
}

/**
 * A server's limits are one object for its lifetime: their key is written once, not per operation
 * (kept with the values it was written from, so an object changed since gets a new key).
 */
const limitsKeys = new WeakMap<OperationLimits, OperationLimits & { key: string }>();

function limitsKey(l: OperationLimits): string {
  const known = limitsKeys.get(l);
  if (
    known?.maxDepth === l.maxDepth &&
    known.maxAliases === l.maxAliases &&
    known.maxComplexity === l.maxComplexity &&
    known.maxPageSize === l.maxPageSize
  )
    return known.key;
  const key = `${l.maxDepth}/${l.maxAliases}/${l.maxComplexity}/${l.maxPageSize}`;
  limitsKeys.set(l, { ...l, key });
  return key;
}
