/**
 * Structured JSON logs (pino). Log lines describe what the system did; they never carry record
 * contents, since records hold personal health data.
 */
import { pino, type Logger } from 'pino';
import type { LogLevel } from './config.ts';

export type { Logger };

export function createLogger(name: string, level: LogLevel): Logger {
  return pino({
    name,
    level,
    base: { service: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['*.authorization', '*.headers.authorization', 'req.headers.authorization'], censor: '[redacted]' },
  });
}
