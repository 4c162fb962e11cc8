import { readableLogLine } from '../../../src/runtime/console-lines';
import { refreshFailureLog } from '../../../src/worker/token-refresh.processor';
import { CrmUnavailableError } from '../../../src/errors';

describe('readableLogLine (npm start at a terminal)', () => {
  const at = Date.UTC(2026, 11, 4, 12, 0, 1);

  it('renders a pino line as time, level, message and its fields', () => {
    const line = JSON.stringify({
      level: 40,
      time: at,
      pid: 9,
      hostname: 'h',
      msg: 'job failed',
      queue: 'system',
      jobId: 7,
    });
    expect(readableLogLine(line)).toBe('12:00:01 WARN  job failed queue=system jobId=7');
  });

  it('shows an error by its message, and its stack only at ERROR and above', () => {
    const err = {
      type: 'Error',
      message: 'connect ECONNREFUSED 127.0.0.1:4100',
      stack: 'Error: x\n    at y',
    };
    const warn = readableLogLine(JSON.stringify({ level: 40, time: at, msg: 'refresh failed', err }));
    expect(warn).toBe('12:00:01 WARN  refresh failed err="connect ECONNREFUSED 127.0.0.1:4100"');
    const error = readableLogLine(JSON.stringify({ level: 50, time: at, msg: 'unexpected error', err }));
    expect(error.split('\n')).toEqual([
      '12:00:01 ERROR unexpected error err="connect ECONNREFUSED 127.0.0.1:4100"',
      '    Error: x',
      '        at y',
    ]);
  });

  it('passes anything else through untouched', () => {
    for (const line of ['plain text', '{not json', '{"level":"x","msg":"m"}', '{"no":"msg"}', '']) {
      expect(readableLogLine(line)).toBe(line);
    }
  });

  it('cuts a very long value', () => {
    const line = readableLogLine(JSON.stringify({ level: 30, time: at, msg: 'm', big: 'x'.repeat(1000) }));
    expect(line.length).toBeLessThan(260);
    expect(line.endsWith('…')).toBe(true);
  });
});

describe('refreshFailureLog', () => {
  it('logs a routine failure in one line, without a stack', () => {
    const err = new CrmUnavailableError('salesforce is unreachable: connect ECONNREFUSED', {
      crm: 'salesforce',
    });
    expect(refreshFailureLog(err, 'c1')).toEqual({
      connectionId: 'c1',
      code: 'UNAVAILABLE',
      reason: 'salesforce is unreachable: connect ECONNREFUSED',
    });
  });

  it('keeps the error, with its stack, when the failure is unexpected', () => {
    const err = new TypeError('x is undefined');
    expect(refreshFailureLog(err, 'c1')).toEqual({ err, connectionId: 'c1' });
  });
});
