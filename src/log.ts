/**
 * The process logger: pino writing one JSON object per line to standard error (design.md: machine-readable output on
 * stdout, logs on stderr), or a short human line per record when `pretty` (a terminal). Created once by a command's
 * wiring and passed down; there is no module-level logger.
 */
import { pino } from 'pino';
import type { DestinationStream } from 'pino';
import type { Logger } from './xds/server/types.js';

export type { Logger } from './xds/server/types.js';

/** Log levels accepted by {@link createLogger}, most severe first. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** One of {@link LOG_LEVELS}. */
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Settings of {@link createLogger}. */
export interface LogOptions {
  /** The lowest level written. */
  level: LogLevel;
  /** One human-readable line per record instead of JSON (for a terminal). */
  pretty?: boolean;
  /** Where each serialised record goes; standard error by default. */
  write?: (line: string) => void;
}

/**
 * Fields that may carry secrets are never written, whatever a caller passes: private keys, tokens, API keys and
 * authorization headers.
 */
const REDACTED_PATHS = [
  'privateKey',
  '*.privateKey',
  'token',
  '*.token',
  'apiKey',
  '*.apiKey',
  'authorization',
  '*.authorization',
  'headers.authorization',
];

/** Whether `value` names a log level. */
export function isLogLevel(value: string): value is LogLevel {
  return (LOG_LEVELS as readonly string[]).includes(value);
}

/** A pino logger behind the server's {@link Logger} interface (pino's API is a superset of it). */
export function createLogger(options: LogOptions): Logger {
  const write = options.write ?? ((line: string): void => void process.stderr.write(line));
  const destination: DestinationStream = {
    write: options.pretty === true ? (line: string): void => write(prettyLine(line)) : write,
  };
  return pino(
    {
      level: options.level,
      base: undefined,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      serializers: { err: pino.stdSerializers.err },
    },
    destination,
  );
}

const LEVEL_NAMES: Readonly<Record<number, string>> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

/** `HH:MM:SS.mmm LEVEL message key=value ...` for one JSON record (the record itself when it is not JSON). */
export function prettyLine(json: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const { time, level, msg, ...fields } = record;
  const at = typeof time === 'number' ? new Date(time).toISOString().slice(11, 23) : '';
  const name = typeof level === 'number' ? (LEVEL_NAMES[level] ?? String(level)) : '';
  const rest = Object.entries(fields).map(([key, value]) => `${key}=${formatValue(value)}`);
  return `${[at, name.padEnd(5), typeof msg === 'string' ? msg : '', ...rest].join(' ')}\n`;
}

function formatValue(value: unknown): string {
  return typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value);
}
