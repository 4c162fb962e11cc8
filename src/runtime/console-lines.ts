/**
 * How `npm start` shows its children's log lines. The processes log pino JSON (one object a line), which
 * a log collector wants and a person at a terminal cannot read between the banner's lines; so when the
 * console is a terminal each JSON line is rendered as `12:00:01 WARN  message key=value …`, and anything
 * else (a line that is not pino JSON, or any line when output goes to a file or a pipe) passes as it is.
 */

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
/** Fields every line has, shown by the layout itself or not worth the width. */
const OMITTED = new Set(['level', 'time', 'msg', 'pid', 'hostname', 'name', 'v']);
/** Longest value shown inline; a longer one is cut, the JSON line has it whole. */
const MAX_VALUE_CHARS = 200;

export function readableLogLine(line: string): string {
  if (!line.startsWith('{')) return line;
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  if (typeof entry.level !== 'number' || typeof entry.msg !== 'string') return line;
  const time = typeof entry.time === 'number' ? new Date(entry.time).toISOString().slice(11, 19) : '--:--:--';
  const level = (LEVELS[entry.level] ?? String(entry.level)).padEnd(5);
  const fields = Object.entries(entry)
    .filter(([k]) => !OMITTED.has(k))
    .map(([k, v]) => `${k}=${show(k, v)}`);
  const stack = entry.level >= 50 ? errorStack(entry.err) : null;
  return [`${time} ${level} ${entry.msg}`, ...fields].join(' ') + (stack ? `\n${stack}` : '');
}

function show(key: string, value: unknown): string {
  // An error shows its message inline; its stack only on ERROR and FATAL lines (below them).
  const v =
    key === 'err' && value && typeof value === 'object' ? (value as { message?: unknown }).message : value;
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const quoted = typeof v === 'string' && /\s/.test(text) ? JSON.stringify(text) : text;
  return quoted.length > MAX_VALUE_CHARS ? `${quoted.slice(0, MAX_VALUE_CHARS)}…` : quoted;
}

function errorStack(err: unknown): string | null {
  const stack = err && typeof err === 'object' ? (err as { stack?: unknown }).stack : undefined;
  return typeof stack === 'string' ? stack.replace(/^/gm, '    ') : null;
}
