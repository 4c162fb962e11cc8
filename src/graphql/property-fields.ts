import { type GraphQLSchema, isObjectType } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/**
 * Lets graphql's default resolver read every plain property field of the built schema. type-graphql
 * wraps each field of an object type that is not `simpleResolvers` in a middleware runner (an object
 * and a closure per field per value) so that middlewares and `@Authorized` can apply; this API has
 * neither (authorization wraps root fields only, `auth/authorize-root-fields.ts`), so for a plain
 * property the wrapper protected nothing and cost a call and two allocations per field: every field of
 * a warm `fieldMapping` answer, and of every other type that is not a record
 * (`records/canonical-record.type.ts` opts records out one type at a time).
 *
 * Left wrapped, so they keep working exactly as declared: `@FieldResolver`s, fields whose schema
 * name differs from their property (the wrapper reads the property), and any field with a middleware
 * or roles — should one ever be added. Requires that `buildSchema` is given no global middlewares or
 * auth checker (`schema.ts`): those would apply to every field and are not visible here.
 */
export function resolvePropertyFieldsByDefault(schema: GraphQLSchema): GraphQLSchema {
  const storage = getMetadataStorage();
  for (const objectType of storage.objectTypes) {
    const type = schema.getType(objectType.name);
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    for (const meta of objectType.fields ?? []) {
      const field = fields[meta.schemaName];
      if (!field?.resolve || meta.name !== meta.schemaName) continue;
      if ((meta.middlewares?.length ?? 0) > 0 || meta.roles !== undefined) continue;
      const resolved = storage.fieldResolvers.some(
        (r) =>
          r.methodName === meta.name &&
          [objectType.target, meta.target].includes(r.getObjectType?.() as (typeof meta)['target']),
      );
      if (resolved) continue;
      field.resolve = undefined;
    }
  }
  return schema;
}
