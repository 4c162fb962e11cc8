import { createRequestContext, eventContext } from '../../../src/graphql/request-context';
import { type AppContext } from '../../../src/runtime/context';

/** Only what building a context reads: the timeout, the process logger, what its loaders hold on to. */
function services(timeoutMs: number) {
  const child = jest.fn((bindings: Record<string, unknown>) => ({ bindings }));
  const app = {
    env: { OPERATION_TIMEOUT_MS: timeoutMs },
    logger: { child },
    store: { fieldMappings: {} },
    crm: {},
  } as unknown as AppContext;
  return { services: { app, pubsub: {} as never }, child };
}

/** What Apollo does with the context of each request (@apollo/server's cloneObject). */
const apolloCopy = <T extends object>(ctx: T): T =>
  Object.assign(Object.create(Object.getPrototypeOf(ctx) as object) as T, ctx);

describe('createRequestContext', () => {
  it('builds no logger until one is asked for, not even when Apollo copies the context', () => {
    const { services: s, child } = services(30_000);
    const ctx = apolloCopy(createRequestContext(s, { keyId: 'k', tenantId: 't1', scope: 'read' }));
    expect(child).not.toHaveBeenCalled();
    expect(ctx.logger).toEqual({ bindings: { requestId: ctx.requestId, tenantId: 't1' } });
    expect(ctx.logger).toBe(ctx.logger); // one child per operation
    expect(child).toHaveBeenCalledTimes(1);
  });

  it('gives a subscription event a context of its own with the same caller and a working logger', () => {
    const { services: s } = services(30_000);
    const sub = createRequestContext(s, { keyId: 'k', tenantId: 't2', scope: 'read' });
    const event = eventContext(sub);
    expect(event.loaders).not.toBe(sub.loaders);
    expect(event.deadline).not.toBe(sub.deadline);
    expect([event.auth, event.requestId]).toEqual([sub.auth, sub.requestId]);
    expect(event.logger).toEqual({ bindings: { requestId: sub.requestId, tenantId: 't2' } });
  });

  it("states the deadline from the operation's start and aborts a signal first asked for after it", () => {
    const { services: s } = services(0);
    const ctx = createRequestContext(s, null);
    expect(ctx.deadline.timeoutMs).toBe(0);
    expect(ctx.deadline.at).toBeLessThanOrEqual(Date.now());
    expect(ctx.deadline.signal.aborted).toBe(true);
    expect((ctx.deadline.signal.reason as DOMException).name).toBe('TimeoutError');
    expect(ctx.deadline.signal).toBe(ctx.deadline.signal);
    const later = createRequestContext(services(60_000).services, null);
    expect(later.deadline.signal.aborted).toBe(false);
  });

  it("carries the request's Idempotency-Key, through Apollo's copy; a subscription event has none", () => {
    const { services: s } = services(30_000);
    const auth = { keyId: 'k', tenantId: 't3', scope: 'read_write' as const };
    expect(createRequestContext(s, auth).idempotencyKey).toBeNull();
    const ctx = apolloCopy(createRequestContext(s, auth, { idempotencyKey: 'order-42' }));
    expect(ctx.idempotencyKey).toBe('order-42');
    expect(eventContext(ctx).idempotencyKey).toBeNull();
  });
});
