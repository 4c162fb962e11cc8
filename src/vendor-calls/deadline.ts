import { CrmUnavailableError } from '../errors';

/**
 * The time one GraphQL operation may take (`OPERATION_TIMEOUT_MS`), carried from the request context
 * through the read loaders and the connector to every vendor call it makes: the call's abort signal,
 * the budget gate's waits and the retry sleeps all end when it passes. A client then gets UNAVAILABLE
 * naming what was late, rather than an answer after the client itself has given up.
 */
export interface OperationDeadline {
  /** Aborts when the deadline passes. */
  readonly signal: AbortSignal;
  /** When it passes, in `Date.now()` ms. */
  readonly at: number;
  /** Its configured length, for messages. */
  readonly timeoutMs: number;
}

/**
 * A deadline `timeoutMs` from `now`. Its timer starts only when something first asks for the signal (a
 * vendor call): an operation that reads only the store never does, and a timer per operation was a
 * measurable part of a simple read. It aborts at the same `at` either way.
 */
export function operationDeadline(timeoutMs: number, now: number = Date.now()): OperationDeadline {
  return new LazyDeadline(now + timeoutMs, timeoutMs);
}

/**
 * A class, not an object literal with a getter: the literal made a fresh getter closure and accessor
 * pair per operation (a measurable part of a warm read); the prototype getter is shared.
 */
class LazyDeadline implements OperationDeadline {
  private made: AbortSignal | undefined;

  constructor(
    readonly at: number,
    readonly timeoutMs: number,
  ) {}

  get signal(): AbortSignal {
    const left = this.at - Date.now();
    return (this.made ??=
      left > 0
        ? AbortSignal.timeout(left)
        : AbortSignal.abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError')));
  }
}

/** Ms left before the deadline (never negative); Infinity without one. */
export function msLeft(deadline: OperationDeadline | undefined, now: number): number {
  return deadline ? Math.max(deadline.at - now, 0) : Infinity;
}

/** The error a client gets when the deadline passed; `late` says what it was waiting for. */
export function deadlineExceeded(
  deadline: OperationDeadline,
  crm: string,
  late: string,
  cause?: unknown,
): CrmUnavailableError {
  return new CrmUnavailableError(
    `the operation's deadline (${deadline.timeoutMs} ms, OPERATION_TIMEOUT_MS) passed while ${late}`,
    { crm, cause, details: { deadlineMs: deadline.timeoutMs, late } },
  );
}

/** Sleeps `ms`, or rejects with the signal's reason as soon as it aborts. */
export function abortableSleep(
  ms: number,
  signal: AbortSignal | undefined,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (!signal) return sleep(ms);
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    sleep(ms).then(
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err as Error);
      },
    );
  });
}

/**
 * Sleeps `delayMs` before a retry. A sleep that would end after the deadline is not begun, and one the
 * deadline interrupts ends the request: both throw UNAVAILABLE naming `why` (what went wrong first).
 */
export async function sleepBeforeDeadline(
  delayMs: number,
  why: string,
  crm: string,
  deadline: OperationDeadline | undefined,
  now: () => number,
  sleep: (ms: number) => Promise<void>,
): Promise<void> {
  if (deadline && now() + delayMs > deadline.at) {
    throw deadlineExceeded(deadline, crm, `${why} and its retry was due ${delayMs} ms later`);
  }
  try {
    await abortableSleep(delayMs, deadline?.signal, sleep);
  } catch (err) {
    if (deadline?.signal.aborted) throw deadlineExceeded(deadline, crm, `${why}; waiting to retry`, err);
    throw err;
  }
}
