import fs from 'node:fs';

/**
 * CPU time (user + system) a process has used so far, in ms, read from Linux's /proc/<pid>/stat:
 * unlike wall-clock rates, a CPU cost per operation barely moves when other work shares the machine,
 * so it shows what a change saved on a noisy host. NaN where /proc is not there (the figure is then
 * not printed).
 */
export function processCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  if (pid === process.pid) {
    const own = process.cpuUsage();
    return (own.user + own.system) / 1000;
  }
  try {
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    // utime and stime, fields 14 and 15 of the line (11 and 12 after the name), in clock ticks of
    // 1/100 s (USER_HZ, which Linux fixes at 100 for user space).
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return NaN;
  }
}

/** Samples several processes' CPU time now; `perOp(n)` later gives each one's ms per operation since. */
export function cpuMeter(pids: Record<string, number | undefined>): {
  perOp(operations: number): Record<string, number>;
} {
  const start = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, processCpuMs(pid)]));
  return {
    perOp(operations) {
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => [name, (processCpuMs(pid) - start[name]!) / operations]),
      );
    },
  };
}
