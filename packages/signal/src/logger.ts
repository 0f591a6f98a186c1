/**
 * Structured logs: one JSON object per line, `{ time, level, msg, ...fields }`, so a log shipper
 * or `jq` reads them without parsing prose.
 */

/** Severity, lowest first. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Extra fields of a log entry. `Error` values are expanded to name, message and stack. */
export type LogFields = Readonly<Record<string, unknown>>;

/** Where the service writes what it does. Inject one to capture or silence logs. */
export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createJsonLogger}. */
export interface JsonLoggerOptions {
  /** Receives each line including its trailing newline; default `process.stderr.write`. */
  readonly write?: (line: string) => void;
  /** Entries below this level are dropped; default `'info'`. */
  readonly level?: LogLevel;
  /** Wall-clock milliseconds for the `time` field; default `Date.now`. */
  readonly now?: () => number;
}

/** A logger writing JSON lines (to stderr unless told otherwise). */
export function createJsonLogger(options: JsonLoggerOptions = {}): Logger {
  const write = options.write ?? ((line: string) => void process.stderr.write(line));
  const minRank = LEVEL_RANK[options.level ?? 'info'];
  const now = options.now ?? Date.now;
  return {
    log(level, msg, fields = {}) {
      if (LEVEL_RANK[level] < minRank) return;
      write(`${formatEntry(new Date(now()).toISOString(), level, msg, fields)}\n`);
    },
  };
}

/** A logger that drops everything (for tests that assert on behaviour, not logs). */
export const silentLogger: Logger = { log() {} };

/** One JSON line. Never throws: fields that cannot be serialised are replaced by a note. */
export function formatEntry(time: string, level: LogLevel, msg: string, fields: LogFields): string {
  const entry: Record<string, unknown> = { time, level, msg };
  for (const [key, value] of Object.entries(fields)) {
    if (key === 'time' || key === 'level' || key === 'msg') continue;
    entry[key] = value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;
  }
  try {
    return JSON.stringify(entry, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  } catch {
    return JSON.stringify({ time, level, msg, logError: 'fields could not be serialised' });
  }
}
