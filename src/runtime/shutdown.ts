import { type Logger } from '../logger';

/**
 * Runs `stop` once on SIGINT/SIGTERM, then exits. A second signal, or `timeoutMs` without finishing,
 * exits at once: a stuck drain must never keep Ctrl-C from working.
 */
export function onShutdown(logger: Logger, timeoutMs: number, stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
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
  // Started by `npm start` with an IPC channel: when the orchestrator dies, stop with it.
  if (process.send) process.once('disconnect', () => handler('SIGTERM'));
}
