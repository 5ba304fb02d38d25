// A Logger that keeps its lines, so tests can wait for what the agent reported.
import type { Logger, LogFields, LogLevel } from '../../../agent/src/base/log.js';

export interface RecordingLogger extends Logger {
  lines: { level: LogLevel; message: string; fields: LogFields }[];
  count(pattern: RegExp): number;
}

export function recordingLogger(): RecordingLogger {
  const lines: RecordingLogger['lines'] = [];
  const at =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) =>
      void lines.push({ level, message, fields });
  return {
    lines,
    count: (pattern) => lines.filter((l) => pattern.test(l.message)).length,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
  };
}
