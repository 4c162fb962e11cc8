import crypto from 'node:crypto';
import os from 'node:os';
import {
  processTokenRefresh,
  scheduleTokenRefresh,
  TOKEN_REFRESH_JOB,
} from '../connectors/tokens/refresh.job';
import { QUEUES } from '../queue/queues';
import { type AppContext } from '../runtime/context';
import { processPing } from './system.processor';

export interface RunningWorker {
  id: string;
  /** Stops taking jobs; the context's queue close then waits for the active ones. */
  close(): Promise<void>;
}

/** Registers every processor on its queue. Queues only produce; this is where jobs are processed. */
export async function startWorker(ctx: AppContext): Promise<RunningWorker> {
  const id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const system = ctx.queues.get(QUEUES.system);
  void system.process('ping', 4, processPing(id));
  // Refreshes access tokens that are about to expire, so interactive reads rarely wait for a refresh.
  void system.process(TOKEN_REFRESH_JOB, 1, () =>
    processTokenRefresh({ tokens: ctx.crm.tokens, redis: ctx.redis, logger: ctx.logger }),
  );
  await scheduleTokenRefresh(system);
  system.on('failed', (job, err) =>
    ctx.logger.warn({ queue: QUEUES.system, job: job.name, jobId: job.id, err }, 'job failed'),
  );
  ctx.logger.info({ workerId: id }, 'worker started');
  return {
    id,
    close: async () => {
      await system.pause(true, true);
    },
  };
}
