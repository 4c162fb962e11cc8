import pino, { type Logger, type DestinationStream } from 'pino';

/**
 * Paths pino replaces with "[redacted]" wherever they appear. Credentials never reach a log line:
 * these cover the names we use and the names vendors use (a token response logged by mistake too).
 */
export const REDACTED_PATHS = [
  'credentials',
  '*.credentials',
  'secret',
  '*.secret',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'access_token',
  '*.access_token',
  'refreshToken',
  '*.refreshToken',
  'refresh_token',
  '*.refresh_token',
  'clientSecret',
  '*.clientSecret',
  'client_secret',
  '*.client_secret',
  'authorization',
  '*.authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  '*.headers.authorization',
  'connectionParams.authorization',
];

export interface LoggerOptions {
  level?: string;
  name?: string;
  /** Where lines go (default stdout); tests pass a capture stream. */
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      name: options.name,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      base: { pid: process.pid },
    },
    options.destination,
  );
}

export type { Logger };
