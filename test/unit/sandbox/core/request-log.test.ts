import { RequestLog, type RequestLogEntry } from '../../../../src/sandbox/core/request-log';

const entry = (status: number, route = '/crm/v3/objects/:type'): RequestLogEntry => ({
  at: 0,
  method: 'POST',
  route,
  url: route,
  status,
  durationMs: 1,
  endedAt: 0,
});

describe('RequestLog status counts', () => {
  it('counts every request by status beyond the ring of entries, until cleared', () => {
    const log = new RequestLog(3);
    for (let i = 0; i < 10; i++) log.record(entry(i % 2 === 0 ? 429 : 201));
    log.record(entry(0));
    expect(log.snapshot(100).entries).toHaveLength(3);
    expect(log.countStatus(429)).toBe(5);
    expect(log.countStatus(201)).toBe(5);
    expect(log.countStatus(0)).toBe(1);
    expect(log.countStatus(500)).toBe(0);
    log.clear();
    expect(log.countStatus(429)).toBe(0);
  });
});
