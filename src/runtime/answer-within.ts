/**
 * `work`'s outcome, or a rejection with `timeoutError()` when it has not settled within `ms`.
 *
 * A timer that fires late because the event loop was stalled (a GC pause, a CPU-starved container)
 * must not beat an answer that arrived during the stall: Node runs due timers before it polls sockets,
 * so a plain race would reject while the store's reply already sits in the socket. The rejection is
 * therefore deferred to `setImmediate`, which runs after the next poll phase has read pending I/O.
 * `work`'s own later rejection is always handled (never an unhandled rejection after the timeout).
 */
export async function answerWithin<T>(work: Promise<T>, ms: number, timeoutError: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let later: NodeJS.Immediate | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      later = setImmediate(() => reject(timeoutError()));
    }, ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
    if (later) clearImmediate(later);
    work.catch(() => undefined);
  }
}
