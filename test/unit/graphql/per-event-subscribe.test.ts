import DataLoader from 'dataloader';
import { buildSchema, type ExecutionResult, type GraphQLObjectType, parse } from 'graphql';
import { subscribeWithEventContexts } from '../../../src/graphql/per-event-subscribe';

/**
 * A subscription whose events name a record that changes between events, read through a DataLoader
 * in the context, as the gateway's subscription fields do: with one context per subscription, the
 * second event would show the value the first one cached.
 */
const schema = buildSchema(`
  type Query { ok: Boolean }
  type Event { id: ID!, status: String! }
  type Subscription { events: Event! }
`);

interface Ctx {
  status: DataLoader<string, string>;
  label: string;
}

/** A source stream fed by the test; records whether it was closed. */
function source() {
  const queued: string[] = [];
  const waiting: ((r: IteratorResult<{ events: { id: string } }>) => void)[] = [];
  const state = { closed: false };
  const iterator: AsyncIterableIterator<{ events: { id: string } }> = {
    next: () =>
      new Promise((resolve) => {
        const id = queued.shift();
        if (id) resolve({ done: false, value: { events: { id } } });
        else waiting.push(resolve);
      }),
    return: () => {
      state.closed = true;
      for (const w of waiting.splice(0)) w({ done: true, value: undefined });
      return Promise.resolve({ done: true, value: undefined });
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
  const push = (id: string) => {
    const w = waiting.shift();
    if (w) w({ done: false, value: { events: { id } } });
    else queued.push(id);
  };
  return { iterator, push, state };
}

describe('subscribeWithEventContexts', () => {
  it('executes every event with a context of its own, so loader caches live for one event', async () => {
    const store = new Map([['c1', 'ACTIVE']]);
    const reads: string[] = [];
    const ctx = (label: string): Ctx => ({
      label,
      status: new DataLoader(async (ids) => {
        reads.push(...ids);
        return ids.map((id) => store.get(id) ?? 'UNKNOWN');
      }),
    });
    const feed = source();
    const subscribedWith: string[] = [];
    let events = 0;
    // buildSchema makes no resolvers: attach the subscribe resolver and Event.status's.
    schema.getSubscriptionType()!.getFields().events!.subscribe = (_root, _args, context: Ctx) => {
      subscribedWith.push(context.label);
      return feed.iterator;
    };
    (schema.getType('Event') as GraphQLObjectType).getFields().status!.resolve = (
      event: { id: string },
      _args,
      context: Ctx,
    ) => context.status.load(event.id);

    const result = await subscribeWithEventContexts(
      { schema, document: parse('subscription { events { id status } }'), contextValue: ctx('subscription') },
      () => ctx(`event ${++events}`),
    );
    if (!(Symbol.asyncIterator in result)) throw new Error(`not a stream: ${JSON.stringify(result)}`);
    expect(subscribedWith).toEqual(['subscription']);

    feed.push('c1');
    const first = (await result.next()) as IteratorResult<ExecutionResult>;
    expect(first.value).toEqual({ data: { events: { id: 'c1', status: 'ACTIVE' } } });

    store.set('c1', 'NEEDS_REAUTH');
    feed.push('c1');
    const second = (await result.next()) as IteratorResult<ExecutionResult>;
    // A loader shared across events would answer ACTIVE from its cache without reading again.
    expect(second.value).toEqual({ data: { events: { id: 'c1', status: 'NEEDS_REAUTH' } } });
    expect(reads).toEqual(['c1', 'c1']);
    expect(events).toBe(2);

    // An unsubscribe while no event is pending closes the source at once.
    const pending = result.next();
    await result.return!();
    expect(feed.state.closed).toBe(true);
    expect(await pending).toEqual({ done: true, value: undefined });
  });

  it('returns a subscribe-time error as a result, not a stream', async () => {
    const failing = buildSchema('type Query { ok: Boolean } type Subscription { events: String }');
    failing.getSubscriptionType()!.getFields().events!.subscribe = () => {
      throw new Error('no tenant');
    };
    const result = await subscribeWithEventContexts(
      { schema: failing, document: parse('subscription { events }'), contextValue: {} },
      (c) => c,
    );
    expect(Symbol.asyncIterator in result).toBe(false);
    expect((result as ExecutionResult).errors?.[0]?.message).toBe('no tenant');
  });
});
