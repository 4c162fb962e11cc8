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
 * Results per parsed document (Apollo hands back the same DocumentNode for the same query text), then
 * per operation name and variables: the checks are a pure function of those and the limits, and a
 * client repeating an operation should not pay for three AST walks every time.
 */
const checked = new WeakMap<DocumentNode, Map<string, AppError | null>>();
const MAX_VARIANTS_PER_DOCUMENT = 256;

/** Everything checked between validation and execution, in order: variables, then limits. */
export function checkOperation(op: OperationToCheck, limits: OperationLimits): AppError | null {
  // Only queries are remembered: mutation variables may carry credentials, which no cache should keep.
  if (getOperationAST(op.document, op.operationName ?? undefined)?.operation !== 'query') {
    return checkVariables(op) ?? checkOperationLimits(op, limits);
  }
  let variants = checked.get(op.document);
  if (!variants) checked.set(op.document, (variants = new Map()));
  const key = `${op.operationName ?? ''}\0${limitsKey(limits)}\0${JSON.stringify(op.variables ?? {})}`;
  const hit = variants.get(key);
  if (hit !== undefined) return hit;
  const result = checkVariables(op) ?? checkOperationLimits(op, limits);
  // Bounded: an operation sent with ever-new variables must not grow the cache without end.
  if (variants.size >= MAX_VARIANTS_PER_DOCUMENT) variants.clear();
  variants.set(key, result);
  return result;
}

function limitsKey(l: OperationLimits): string {
  return `${l.maxDepth}/${l.maxAliases}/${l.maxComplexity}/${l.maxPageSize}`;
}
