import { describe, expect, it } from 'vitest';
import { withQuietConcurrentTransactions } from '../../connectors/runtime/transaction-log-filter.ts';
import type { Logger } from '../../services/platform/logger.ts';

describe('kafkajs log filter', () => {
  it('sends CONCURRENT_TRANSACTIONS answers to debug and every other error to error', () => {
    const calls: [string, unknown[]][] = [];
    const logger = {
      error: (...args: unknown[]) => calls.push(['error', args]),
      debug: (...args: unknown[]) => calls.push(['debug', args]),
    } as unknown as Logger;
    const quiet = withQuietConcurrentTransactions(logger);
    const concurrent = 'The producer attempted to update a transaction while another concurrent operation on the same transaction was ongoing';
    quiet.error({ component: 'kafkajs', error: concurrent }, 'Response AddPartitionsToTxn(key: 24, version: 1)');
    quiet.error({ component: 'kafkajs' }, `Failed to send messages: ${concurrent}`);
    quiet.error({ component: 'kafkajs', error: 'Connection refused' }, 'Connection error');
    expect(calls.map(([level]) => level)).toEqual(['debug', 'debug', 'error']);
  });
});
