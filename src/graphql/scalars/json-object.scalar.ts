import { GraphQLError, GraphQLScalarType, Kind, type ObjectValueNode, type ValueNode } from 'graphql';

/**
 * A JSON object. Unlike graphql-scalars' JSONObject, its errors never repeat the value they reject:
 * it carries credentials, and a token pasted in the wrong place must not come back in an error message
 * (or reach a log through one).
 */
export const JSONObjectScalar = new GraphQLScalarType<Record<string, unknown>, Record<string, unknown>>({
  name: 'JSONObject',
  description: 'A JSON object, e.g. {"accessToken": "…"}.',
  serialize(value) {
    if (!isPlainObject(value)) throw new GraphQLError(`JSONObject must be an object; got ${kindOf(value)}`);
    return value;
  },
  parseValue(value) {
    // Variables: the caller (src/server/variables.ts) adds what arrived.
    if (!isPlainObject(value)) throw new GraphQLError('expected a JSON object');
    return value;
  },
  parseLiteral(ast, variables) {
    if (ast.kind !== Kind.OBJECT) throw new GraphQLError(`expected a JSON object; got ${literalKind(ast)}`);
    return objectLiteral(ast, variables);
  },
});

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

function literalKind(ast: ValueNode): string {
  switch (ast.kind) {
    case Kind.STRING:
      return 'a string';
    case Kind.INT:
    case Kind.FLOAT:
      return 'a number';
    case Kind.BOOLEAN:
      return 'a boolean';
    case Kind.LIST:
      return 'a list';
    case Kind.NULL:
      return 'null';
    default:
      return 'a non-object value';
  }
}

function objectLiteral(
  ast: ObjectValueNode,
  variables: Record<string, unknown> | null | undefined,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of ast.fields) {
    // An own key whatever its name, as JSON.parse makes one: assigning `__proto__` would replace the
    // object's prototype instead, out of sight of the checks that refuse such keys.
    Object.defineProperty(out, field.name.value, {
      value: literalValue(field.value, variables),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

function literalValue(ast: ValueNode, variables: Record<string, unknown> | null | undefined): unknown {
  switch (ast.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return ast.value;
    case Kind.BOOLEAN:
      return ast.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(ast.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return ast.values.map((v) => literalValue(v, variables));
    case Kind.OBJECT:
      return objectLiteral(ast, variables);
    case Kind.VARIABLE:
      return variables?.[ast.name.value];
  }
}
