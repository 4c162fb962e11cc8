import fs from 'node:fs';
import path from 'node:path';
import { PUBLIC_EXTENSION } from '../../../src/graphql/auth/public.decorator';
import { buildGatewaySchema, printGatewaySchema } from '../../../src/graphql/schema';

const FILE = path.resolve(__dirname, '../../../schema/schema.graphql');

describe('schema/schema.graphql', () => {
  it('is the SDL the resolvers emit (regenerate with `npm run schema:emit`, then `npm run codegen`)', async () => {
    const emitted = printGatewaySchema(await buildGatewaySchema());
    const committed = fs.existsSync(FILE) ? fs.readFileSync(FILE, 'utf8') : '';
    if (committed !== emitted) {
      throw new Error(
        'schema/schema.graphql is stale: the type-graphql resolvers in src/graphql/ emit a different schema.\n' +
          'Run `npm run schema:emit` and then `npm run codegen` (the e2e typed documents depend on it), ' +
          'review the diff and commit both.',
      );
    }
  });

  it('needs an API key for every root field but health (the root-field authorization is closed by default)', async () => {
    const schema = await buildGatewaySchema();
    const roots = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()];
    const publicFields = roots.flatMap((type) =>
      Object.values(type?.getFields() ?? {})
        .filter((f) => f.extensions?.[PUBLIC_EXTENSION] === true)
        .map((f) => `${type!.name}.${f.name}`),
    );
    expect(publicFields).toEqual(['Query.health']);
  });

  /** The one credential the API returns by design: an access token minted for a browser. */
  const HANDED_OUT = ['Mutation.createAccessToken', 'AccessToken.token'];

  it('exposes no credentials field on any output type', async () => {
    const schema = await buildGatewaySchema();
    for (const type of Object.values(schema.getTypeMap())) {
      if (
        !('getFields' in type) ||
        type.name.startsWith('__') ||
        type.constructor.name === 'GraphQLInputObjectType'
      )
        continue;
      const names = Object.keys(type.getFields())
        .filter((n) => /credential|secret|token/i.test(n))
        .map((n) => `${type.name}.${n}`);
      expect(names.filter((n) => !HANDED_OUT.includes(n))).toEqual([]);
    }
  });
});
