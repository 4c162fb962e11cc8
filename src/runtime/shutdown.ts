import { type Logger } from '../logger';

/**
 * How long after the first signal a second one is taken for the same Ctrl-C delivered twice, not for
 * an impatient user: `npm start` gets the terminal's SIGINT and, from npm, a forwarded copy of it.
 */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1000;

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits. A second signal later than
 * {@link DUPLICATE_SIGNAL_WINDOW_MS}, or `timeoutMs` without finishing, exits at once: a stuck drain
 * must never keep Ctrl-C from working. One within the window is the same Ctrl-C twice (the
 * terminal's and npm's forwarded copy) and is ignored, so one Ctrl-C always drains.
 *
 * Started by `npm start` (an IPC channel): the orchestrator going away stops this process too, but
 * once it is stopping, that is no second signal — the drain goes on.
 */
export function onShutdown(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stoppingSince: number | undefined;
  const handler = (signal: NodeJS.Signals | 'disconnect'): void => {
    if (stoppingSince !== undefined) {
      if (signal === 'disconnect' || Date.now() - stoppingSince < DUPLICATE_SIGNAL_WINDOW_MS) {
        logger.debug({ signal }, 'already shutting down: signal ignored');
        return;
      }
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stoppingSince = Date.now();
    logger.info({ signal }, 'shutting down');
    const timer = setTimeout(() => {
      logger.error({ timeoutMs }, 'shutdown timed out: exiting');
      process.exit(1);
    }, timeoutMs);
    timer.unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'error during shutdown');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  if (process.send) process.once('disconnect', () => handler('disconnect'));
}
