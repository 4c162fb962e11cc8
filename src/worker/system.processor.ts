import { type Job } from 'bull';
import { type PingResult } from '../queue/system.producer';

export function processPing(workerId: string) {
  return async (_job: Job): Promise<PingResult> => ({
    workerId,
    pid: process.pid,
    receivedAt: new Date().toISOString(),
  });
}
