import { describe, expect, it } from 'vitest';
import { logLevel } from 'kafkajs';
import { kafkaLogCreator } from '../../services/platform/kafka.ts';
import type { Logger } from '../../services/platform/logger.ts';

describe('kafkajs log lines', () => {
  it('keep trouble at error and warn, and send routine notices to debug', () => {
    const calls: [string, string][] = [];
    const record = (level: string) => (_fields: unknown, message: string) => calls.push([level, message]);
    const logger = { error: record('error'), warn: record('warn'), debug: record('debug'), trace: record('trace') } as unknown as Logger;
    const log = kafkaLogCreator(logger)();
    const entry = (level: logLevel, message: string, extra: Record<string, unknown> = {}) =>
      log({ namespace: 'x', level, label: '', log: { message, timestamp: '', logger: 'kafkajs', ...extra } });
    const concurrent = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';

    entry(logLevel.ERROR, 'Response AddPartitionsToTxn(key: 24, version: 1)', { error: concurrent });
    entry(logLevel.ERROR, `Failed to send messages: ${concurrent}`);
    entry(logLevel.WARN, 'KafkaJS v2.0.0 switched default partitioner. To retain ...');
    entry(logLevel.WARN, 'Limiting retries for the idempotent producer may invalidate EoS guarantees');
    entry(logLevel.ERROR, 'Connection error: connect ECONNREFUSED 127.0.0.1:9092');
    entry(logLevel.WARN, 'Consumer group rebalancing');
    entry(logLevel.INFO, 'Starting');
    // A crash stays an error even when its cause is a routine answer kafkajs gave up retrying.
    entry(logLevel.ERROR, `Crash: KafkaJSNumberOfRetriesExceeded: ${concurrent}`, { groupId: 'truc-normalizer' });
    entry(logLevel.ERROR, 'Restarting the consumer in 5780ms', { groupId: 'truc-normalizer' });

    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'debug', 'debug', 'error', 'warn', 'debug', 'error', 'error']);
  });
});
