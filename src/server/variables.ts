import {
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

/** Everything checked between validation and execution, in order: variables, then limits. */
export function checkOperation(op: OperationToCheck, limits: OperationLimits): AppError | null {
  return checkVariables(op) ?? checkOperationLimits(op, limits);
}
