import crypto from 'node:crypto';
import os from 'node:os';
import { QUEUES } from '../queue/queues';
import { type AppContext } from '../runtime/context';
import { processPing } from './system.processor';

export interface RunningWorker {
  id: string;
  /** Stops taking jobs and waits for the active ones to finish. */
  close(): Promise<void>;
}

/** Registers every processor on its queue. Queues only produce; this is where jobs are processed. */
export function startWorker(ctx: AppContext): RunningWorker {
  const id = `${os.hostname()}:${process.pid}:${crypto.randomBytes(3).toString('hex')}`;
  const system = ctx.queues.get(QUEUES.system);
  void system.process('ping', 4, processPing(id));
  system.on('failed', (job, err) =>
    ctx.logger.warn({ queue: QUEUES.system, jobId: job.id, err }, 'job failed'),
  );
  ctx.logger.info({ workerId: id }, 'worker started');
  return {
    id,
    close: async () => {
      // queue.close() waits for active jobs; the context closes the queues, this only stops intake.
      await system.pause(true, true);
    },
  };
}
