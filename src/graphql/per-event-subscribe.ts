import { createSourceEventStream, execute, type ExecutionArgs, type ExecutionResult } from 'graphql';

/**
 * graphql-js `subscribe`, except that every event executes with a context of its own.
 *
 * graphql-js runs the subscription's `subscribe` resolver and every event's selection set with one
 * context value, so anything cached in it (the DataLoaders) would live as long as the subscription and
 * later events would see values read for earlier ones. Caches live for one request or one subscription
 * event: `forEvent` derives each event's context from the subscription's, and every subscription field
 * (connection events today, record subscriptions later) gets fresh loaders without doing anything.
 *
 * Mirrors graphql-js 16 `subscribe` (`createSourceEventStream`, then `execute` per payload with the
 * payload as root value); `return()` and `throw()` reach the source stream at once, so an unsubscribe
 * releases the Redis subscription even while no event is pending.
 */
export async function subscribeWithEventContexts<C>(
  args: ExecutionArgs & { contextValue: C },
  forEvent: (subscription: C) => C,
): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> {
  const stream = await createSourceEventStream(args);
  if (!isAsyncIterable(stream)) return stream;
  const source = stream[Symbol.asyncIterator]();

  const closeSource = async (): Promise<void> => {
    try {
      await source.return?.();
    } catch {
      // Keep the error that made us close it.
    }
  };
  const map = async (step: IteratorResult<unknown>): Promise<IteratorResult<ExecutionResult>> => {
    if (step.done) return { done: true, value: undefined };
    try {
      const value = await execute({
        ...args,
        rootValue: step.value,
        contextValue: forEvent(args.contextValue),
      });
      return { done: false, value };
    } catch (err) {
      await closeSource();
      throw err;
    }
  };

  const events: AsyncIterableIterator<ExecutionResult> = {
    async next() {
      return map(await source.next());
    },
    async return() {
      return source.return ? map(await source.return()) : { done: true, value: undefined };
    },
    async throw(error: unknown) {
      if (source.throw) return map(await source.throw(error));
      await closeSource();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return events;
    },
  };
  return events;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown> | null)?.[Symbol.asyncIterator] === 'function';
}
