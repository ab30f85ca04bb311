import { type DestinationStream, type Logger as PinoLogger, pino } from 'pino';

/** The one logger of the server, jobs, services and CLI: pino's, with `child({ component })` per part. */
export type Logger = PinoLogger;
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Where lines go: anything with `write(line)`; `isTTY` says whether a person reads it. */
export interface LogDestination {
  write(line: string): void;
  isTTY?: boolean;
}

export interface LoggerOptions {
  level: LogLevel;
  /** The program, e.g. `renkei`; components are children: `logger.child({ component: 'jobs' })`. */
  name: string;
  /** Default: standard error, so a command's own output on standard output stays clean. */
  destination?: LogDestination;
  /** Readable lines instead of JSON. Default: when the destination is a terminal. */
  pretty?: boolean;
}

/** Secrets that must never reach a log line, wherever a caller puts them. */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-csrf-token"]',
  'authorization',
  'cookie',
  'password',
  '*.password',
];

const LEVEL_NAMES: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const OMITTED = new Set(['level', 'time', 'pid', 'hostname', 'name', 'msg', 'component']);

/**
 * A pino logger: one JSON object per line when nobody is watching (files, journald, collectors), a readable
 * line when the destination is a terminal. Formatting is done in-process (no worker thread), so start-up stays fast.
 * @example const log = createLogger({ level: config.logLevel, name: 'renkei' }); log.child({ component: 'jobs' }).warn({ id }, 'job failed');
 */
export function createLogger(options: LoggerOptions): Logger {
  const target: LogDestination = options.destination ?? { write: (line) => void process.stderr.write(line), isTTY: process.stderr.isTTY === true };
  const pretty = options.pretty ?? target.isTTY === true;
  const stream: DestinationStream = pretty ? { write: (line: string) => target.write(readableLine(line)) } : { write: (line: string) => target.write(line) };
  return pino(
    {
      level: options.level,
      name: options.name,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Neither pid nor hostname: the process manager and collector know both.
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    stream,
  );
}

/**
 * One JSON log line as a person reads it: `12:00:01.234 WARN  jobs: job failed id=… attempt=2`, then an error's stack.
 * @example readableLine('{"level":30,"time":"2026-01-01T12:00:00.000Z","msg":"hi","n":1}') // '12:00:00.000 INFO  hi n=1\n'
 */
export function readableLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry.time === 'string' ? entry.time.slice(11, 23) : '';
  const level = (LEVEL_NAMES[Number(entry.level)] ?? String(entry.level)).padEnd(5);
  const component = typeof entry.component === 'string' ? `${entry.component}: ` : '';
  let stack = '';
  const fields: string[] = [];
  for (const [key, value] of Object.entries(entry)) {
    if (OMITTED.has(key)) continue;
    if (key === 'err' && value && typeof value === 'object' && 'stack' in value && typeof value.stack === 'string') {
      stack = `\n    ${value.stack.split('\n').join('\n    ')}`;
      continue;
    }
    fields.push(`${key}=${typeof value === 'string' && !/\s/.test(value) ? value : JSON.stringify(value)}`);
  }
  const message = typeof entry.msg === 'string' ? entry.msg : '';
  return `${time} ${level} ${component}${message}${fields.length > 0 ? ` ${fields.join(' ')}` : ''}${stack}\n`;
}
