import { type GraphQLField, type GraphQLObjectType, type GraphQLResolveInfo } from 'graphql';
import { PUBLIC_EXTENSION } from '../../../src/graphql/auth/public.decorator';
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
          .map((fn) => ({ name: `${type!.name}.${field.name}`, fn: fn!, mutation })),
      ),
  );
}

const info = (fieldName: string) => ({ fieldName }) as GraphQLResolveInfo;
const ctx = (auth: RequestContext['auth']) => ({ auth }) as RequestContext;

/** What a guarded entry point throws before it reaches the resolver, or 'passed' when it lets the call through. */
function refusal(fn: (...a: never[]) => unknown, name: string, auth: RequestContext['auth']): string {
  try {
    // The resolver behind the guard meets an empty context and fails in its own way: that is "passed".
    const result = (fn as (...a: unknown[]) => unknown)({}, {}, ctx(auth), info(name.split('.')[1]!));
    if (result instanceof Promise) result.catch(() => undefined);
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
      expect([p.name, refusal(p.fn, p.name, null)]).toEqual([p.name, 'UNAUTHENTICATED']);
  });

  it('refuses every mutation to a read key and lets queries and subscriptions through', async () => {
    const read = { keyId: 'k', tenantId: 't', scope: 'read' } as const;
    for (const p of await rootEntryPoints()) {
      expect([p.name, refusal(p.fn, p.name, read)]).toEqual([p.name, p.mutation ? 'FORBIDDEN' : 'passed']);
    }
  });

  it('lets a read_write key through to mutations', async () => {
    const write = { keyId: 'k', tenantId: 't', scope: 'read_write' } as const;
    for (const p of await rootEntryPoints())
      expect([p.name, refusal(p.fn, p.name, write)]).toEqual([p.name, 'passed']);
  });
});
