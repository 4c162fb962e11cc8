/** A type-graphql enum object (`{ A: 'A', … }`) from a list of string values kept elsewhere as the one source. */
export const enumOf = <T extends string>(values: readonly T[]) =>
  Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };
