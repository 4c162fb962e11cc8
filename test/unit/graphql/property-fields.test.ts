import 'reflect-metadata';
import { graphql, type GraphQLObjectType, isObjectType } from 'graphql';
import {
  buildSchema,
  Field,
  FieldResolver,
  type MiddlewareFn,
  ObjectType,
  Query,
  Resolver,
  Root,
  UseMiddleware,
} from 'type-graphql';
import { resolvePropertyFieldsByDefault } from '../../../src/graphql/property-fields';
import { buildGatewaySchema } from '../../../src/graphql/schema';

/** Uppercases what the field resolved: shows whether the middleware ran. */
const shout: MiddlewareFn = async (_data, next) => String(await next()).toUpperCase();

@ObjectType()
class Sample {
  @Field()
  plain!: string;

  @Field({ name: 'renamed' })
  property!: string;

  @Field()
  @UseMiddleware(shout)
  guarded!: string;

  @Field()
  computed!: string;
}

@Resolver(() => Sample)
class SampleResolver {
  @Query(() => Sample)
  sample(): Sample {
    return { plain: 'p', property: 'r', guarded: 'g', computed: 'stored' };
  }

  @FieldResolver(() => String)
  computed(@Root() sample: Sample): string {
    return `${sample.plain}-computed`;
  }
}

describe('resolvePropertyFieldsByDefault', () => {
  it('leaves plain fields to the default resolver and keeps field resolvers, renamed fields and middlewares', async () => {
    const schema = resolvePropertyFieldsByDefault(await buildSchema({ resolvers: [SampleResolver] }));
    const fields = (schema.getType('Sample') as GraphQLObjectType).getFields();
    expect(fields.plain!.resolve).toBeUndefined();
    expect(fields.renamed!.resolve).toBeDefined();
    expect(fields.guarded!.resolve).toBeDefined();
    expect(fields.computed!.resolve).toBeDefined();
    const result = await graphql({ schema, source: '{ sample { plain renamed guarded computed } }' });
    expect(result).toEqual({
      data: { sample: { plain: 'p', renamed: 'r', guarded: 'G', computed: 'p-computed' } },
    });
  });

  it("wraps only the gateway's field resolvers", async () => {
    const schema = await buildGatewaySchema();
    const wrapped: string[] = [];
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    for (const type of Object.values(schema.getTypeMap())) {
      if (!isObjectType(type) || type.name.startsWith('__') || roots.includes(type)) continue;
      for (const field of Object.values(type.getFields()))
        if (field.resolve) wrapped.push(`${type.name}.${field.name}`);
    }
    expect(wrapped.sort()).toEqual([
      'Connection.budgets',
      'Connection.sync',
      'ConnectionEvent.connection',
      'Contact.deals',
      'Deal.contacts',
      'FieldMappingView.problems',
    ]);
  });
});
