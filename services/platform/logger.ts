/**
 * Structured JSON logs (pino). Log lines describe what the system did; they never carry record
 * contents, since records hold personal health data.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

const loggerOptions = (name: string, level: LogLevel) => ({
  name,
  level,
  base: { service: name },
  timestamp: pino.stdTimeFunctions.isoTime,
  redact: { paths: ['*.authorization', '*.headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
});

export function createLogger(name: string, level: LogLevel): Logger {
  return pino(loggerOptions(name, level));
}

/**
 * A logger writing to `file` (for `npm start`, whose terminal shows the live status instead); the
 * message of every warning and error also goes to `onProblem`.
 */
export function createFileLogger(name: string, level: LogLevel, file: string, onProblem: (message: string) => void): Logger {
  const problems = {
    write(line: string) {
      const entry = JSON.parse(line) as { msg?: string; time?: string };
      onProblem(`${entry.time ?? ''} ${entry.msg ?? ''}`.trim());
    },
  };
  return pino(
    loggerOptions(name, level),
    pino.multistream([
      { level, stream: pino.destination({ dest: file, mkdir: true, sync: false }) },
      { level: 'warn', stream: problems },
    ]),
  );
}
