import { type GraphQLField, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { PUBLIC_EXTENSION } from '../../../src/graphql/auth/public.decorator';
import { READ_KEY_MUTATION_EXTENSION, TOKEN_ACCESS_EXTENSION } from '../../../src/graphql/auth/token-access';
import { type RequestContext } from '../../../src/graphql/request-context';
import { buildGatewaySchema } from '../../../src/graphql/schema';

/** Every guarded entry point of every root field: its resolve and, for subscriptions, its subscribe. */
async function rootEntryPoints() {
  const schema = await buildGatewaySchema();
  const roots: [GraphQLObjectType | null | undefined, boolean][] = [
    [schema.getQueryType(), false],
    [schema.getMutationType(), true],
    [schema.getSubscriptionType(), false],
  ];
  return roots.flatMap(([type, mutation]) =>
    Object.values(type?.getFields() ?? {})
      .filter((f) => f.extensions?.[PUBLIC_EXTENSION] !== true)
      .flatMap((field: GraphQLField<unknown, RequestContext>) =>
        [field.resolve, field.subscribe]
          .filter((fn) => fn !== undefined)
          .map((fn) => ({
            name: `${type!.name}.${field.name}`,
            fn: fn!,
            mutation,
            readKeyMutation: field.extensions?.[READ_KEY_MUTATION_EXTENSION] === true,
            tokens: field.extensions?.[TOKEN_ACCESS_EXTENSION] === true,
          })),
      ),
  );
}

const info = (fieldName: string) => ({ fieldName }) as GraphQLResolveInfo;
/** A context with the caller and an audit log that records nothing (mutations are audited around the guard). */
const ctx = (auth: RequestContext['auth']) =>
  ({ auth, app: { audit: { record: async () => undefined } } }) as unknown as RequestContext;

/**
 * What a guarded entry point throws (or rejects with: a mutation's audit wrapper is async) before it
 * reaches the resolver, or 'passed' when it lets the call through.
 */
async function refusal(
  fn: (...a: never[]) => unknown,
  name: string,
  auth: RequestContext['auth'],
): Promise<string> {
  try {
    // The resolver behind the guard meets an empty context and fails in its own way: that is "passed".
    const result = (fn as (...a: unknown[]) => unknown)({}, {}, ctx(auth), info(name.split('.')[1]!));
    // Only a mutation's wrapper is async, and the guard is all it runs before the resolver: a query's
    // promise is its resolver's own (which may refuse for its own reasons, not the guard's).
    if (name.startsWith('Mutation.')) await result;
    else if (result instanceof Promise) result.catch(() => undefined);
    return 'passed';
  } catch (err) {
    const code = (err as { code?: string }).code;
    return code === 'UNAUTHENTICATED' || code === 'FORBIDDEN' ? code : 'passed';
  }
}

describe('root-field authorization', () => {
  it('refuses every non-public root field without a key', async () => {
    const points = await rootEntryPoints();
    expect(points.length).toBeGreaterThan(10);
    for (const p of points)
      expect([p.name, await refusal(p.fn, p.name, null)]).toEqual([p.name, 'UNAUTHENTICATED']);
  });

  it('refuses every mutation to a read key (but minting READ tokens) and lets queries and subscriptions through', async () => {
    const read = { keyId: 'k', tenantId: 't', scope: 'read' } as const;
    const points = await rootEntryPoints();
    for (const p of points) {
      const expected = p.mutation && !p.readKeyMutation ? 'FORBIDDEN' : 'passed';
      expect([p.name, await refusal(p.fn, p.name, read)]).toEqual([p.name, expected]);
    }
    expect(points.filter((p) => p.readKeyMutation).map((p) => p.name)).toEqual([
      'Mutation.createAccessToken',
    ]);
  });

  const token = (scope: 'read' | 'read_write') => ({
    keyId: 'k',
    tenantId: 't',
    scope,
    token: {
      subject: 's',
      connectionIds: new Set(['c']),
      objects: new Set(['contact' as const]),
      expiresAt: Date.now() + 60_000,
      kid: 'x',
      issuer: 'crm-gateway',
    },
  });

  it('lets an access token call only the fields marked for tokens, and a READ token no mutation', async () => {
    const points = await rootEntryPoints();
    for (const p of points) {
      expect([p.name, await refusal(p.fn, p.name, token('read_write'))]).toEqual([
        p.name,
        p.tokens ? 'passed' : 'FORBIDDEN',
      ]);
      const readExpected = p.tokens && !p.mutation ? 'passed' : 'FORBIDDEN';
      expect([p.name, await refusal(p.fn, p.name, token('read'))]).toEqual([p.name, readExpected]);
    }
    // Key-only: minting, managing connections, mappings and identity providers, erasing history, driving
    // sync, and reading the tenant's audit log.
    const keyOnly = [...new Set(points.filter((p) => !p.tokens).map((p) => p.name))].sort();
    expect(keyOnly).toEqual([
      'Mutation.createAccessToken',
      'Mutation.createConnection',
      'Mutation.deleteConnection',
      'Mutation.eraseRecord',
      'Mutation.registerIdentityProvider',
      'Mutation.removeIdentityProvider',
      'Mutation.resyncConnection',
      'Mutation.triggerSync',
      'Mutation.updateFieldMapping',
      'Query.auditEvents',
    ]);
  });

  it('lets a read_write key through to mutations', async () => {
    const write = { keyId: 'k', tenantId: 't', scope: 'read_write' } as const;
    for (const p of await rootEntryPoints())
      expect([p.name, await refusal(p.fn, p.name, write)]).toEqual([p.name, 'passed']);
  });
});
