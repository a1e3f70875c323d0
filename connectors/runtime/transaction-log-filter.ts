/**
 * kafkajs logs every CONCURRENT_TRANSACTIONS answer at error level (twice: the response and the
 * failed send), though it is the broker's normal answer when a transaction starts while the
 * previous commit's markers are still being written, and kafkajs retries it at once. A connector
 * commits back to back, so that would be two error lines per batch. This wraps the logger given to
 * the connectors' Kafka client so that those lines, and only those, go to debug.
 */
import type { Logger } from '../../services/platform/logger.ts';

/** The protocol message of CONCURRENT_TRANSACTIONS (error code 51) in kafkajs' error table. */
const CONCURRENT_TRANSACTIONS_MESSAGE = 'another concurrent operation on the same transaction';

function isConcurrentTransactions(args: unknown[]): boolean {
  return args.some((arg) => {
    if (typeof arg === 'string') return arg.includes(CONCURRENT_TRANSACTIONS_MESSAGE);
    const error = (arg as { error?: unknown } | null)?.error;
    return typeof error === 'string' && error.includes(CONCURRENT_TRANSACTIONS_MESSAGE);
  });
}

export function withQuietConcurrentTransactions(logger: Logger): Logger {
  return new Proxy(logger, {
    get(target, property, receiver) {
      if (property !== 'error') return Reflect.get(target, property, receiver);
      return (...args: unknown[]) => {
        const method = isConcurrentTransactions(args) ? target.debug : target.error;
        (method as (...a: unknown[]) => void).apply(target, args);
      };
    },
  });
}
