// The agent's log: one line per event on stderr ("2026-11-21T23:59:01.123Z warn link: connect failed err=..."),
// read by journald, the Windows service host's log file or a terminal. Values are never secrets: the credential
// and enrollment token are not passed to the logger anywhere.
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFields = Record<string, unknown>;

export interface Logger {
  error(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  debug(message: string, fields?: LogFields): void;
}

const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

const format = (value: unknown): string => {
  const text = value instanceof Error ? value.message : typeof value === 'string' ? value : JSON.stringify(value);
  return /[\s"=]/.test(text ?? '') ? JSON.stringify(text) : String(text);
};

export function createLogger(options: { level?: LogLevel; write?: (line: string) => void } = {}): Logger {
  const threshold = RANK[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const emit =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (RANK[level] > threshold) return;
      const extra = Object.entries(fields)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => `${k}=${format(v)}`)
        .join(' ');
      write(`${new Date().toISOString()} ${level} ${message}${extra ? ' ' + extra : ''}`);
    };
  return { error: emit('error'), warn: emit('warn'), info: emit('info'), debug: emit('debug') };
}

/** The same logger with a "name: " prefix on every message (file name = log prefix). */
export function withPrefix(log: Logger, prefix: string): Logger {
  const wrap = (fn: Logger['info']) => (message: string, fields?: LogFields) => fn(`${prefix}: ${message}`, fields);
  return { error: wrap(log.error), warn: wrap(log.warn), info: wrap(log.info), debug: wrap(log.debug) };
}
