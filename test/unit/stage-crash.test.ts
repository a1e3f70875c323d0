import { EventEmitter } from 'node:events';
import { KafkaJSNumberOfRetriesExceeded, KafkaJSProtocolError, type Consumer } from 'kafkajs';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { CrashRecorder, describeError, latestCrash } from '../../services/platform/stage-crash.ts';

/** A consumer as far as the recorder uses it: CRASH events. */
function fakeConsumer(): Consumer & { crash(error: Error, restart: boolean): void } {
  const emitter = new EventEmitter();
  return {
    events: { CRASH: 'consumer.crash' },
    on: (event: string, listener: (e: unknown) => void) => emitter.on(event, listener),
    crash: (error: Error, restart: boolean) => emitter.emit('consumer.crash', { payload: { error, restart, groupId: 'g' } }),
  } as unknown as Consumer & { crash(error: Error, restart: boolean): void };
}

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { lines, logger };
}

describe('stage crashes', () => {
  it('name the root cause of a retried error, with the protocol error code', () => {
    const cause = new KafkaJSProtocolError({ type: 'CONCURRENT_TRANSACTIONS', message: 'another concurrent operation', code: 51, retriable: true } as unknown as Error);
    expect(describeError(new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: 5, retryTime: 100 }))).toEqual({
      errorClass: 'KafkaJSProtocolError',
      message: 'CONCURRENT_TRANSACTIONS: another concurrent operation',
    });
    expect(describeError(new TypeError('x'.repeat(2_000))).message).toHaveLength(500);
    expect(describeError('plain')).toEqual({ errorClass: 'string', message: 'plain' });
  });

  it('are logged at error level with stage, class and message, and kept as the last crash', () => {
    const { lines, logger } = capturingLogger();
    const crashes = new CrashRecorder('normalizer', logger);
    const consumer = fakeConsumer();
    crashes.watch(consumer);
    expect(crashes.lastCrash).toBeNull();

    consumer.crash(new RangeError('first'), true);
    consumer.crash(new RangeError('second'), false);
    expect(crashes.lastCrash).toMatchObject({ stage: 'normalizer', errorClass: 'RangeError', message: 'second', restarts: 1, restarting: false });
    expect(lines.map((line) => [line.level, line.msg])).toEqual([
      [50, 'normalizer crashed: RangeError: first; restarting'],
      [50, 'normalizer crashed: RangeError: second; stopped, not restarting'],
    ]);
    expect(lines[0]).toMatchObject({ stage: 'normalizer', errorClass: 'RangeError', err: 'first', restarts: 1, restarting: true });
  });

  it('restart a consumer kafkajs leaves stopped, after a back-off, until it starts', async () => {
    const { lines, logger } = capturingLogger();
    const crashes = new CrashRecorder('sink.clickhouse', logger);
    const consumer = fakeConsumer();
    let attempts = 0;
    const started = new Promise<void>((resolve) => {
      crashes.watch(consumer, {
        part: 'main',
        restart: async () => {
          attempts += 1;
          if (attempts === 1) throw new Error('broker still away');
          resolve();
        },
      });
    });
    consumer.crash(new Error('coordinator not found'), false);
    expect(crashes.lastCrash).toMatchObject({ stage: 'sink.clickhouse main', restarting: true, restarts: 1 });
    await started;
    expect(attempts).toBe(2);
    expect(lines.map((line) => line.msg)).toEqual([
      'sink.clickhouse main crashed: Error: coordinator not found; restarting',
      'sink.clickhouse main crashed: Error: broker still away; restarting',
    ]);
  }, 10_000);

  it('are not restarted once the stage closes', async () => {
    const crashes = new CrashRecorder('fanout', capturingLogger().logger);
    const consumer = fakeConsumer();
    let attempts = 0;
    crashes.watch(consumer, { restart: async () => void (attempts += 1) });
    crashes.close();
    consumer.crash(new Error('gone'), false);
    expect(crashes.lastCrash).toMatchObject({ restarting: false });
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect(attempts).toBe(0);
  });

  it('tell the latest of several stages', () => {
    const at = (time: string) => ({ at: time, stage: time, errorClass: 'E', message: '', restarts: 0, restarting: true });
    expect(latestCrash([null, at('2026-01-01T00:00:01Z'), undefined, at('2026-01-01T00:00:03Z'), at('2026-01-01T00:00:02Z')])?.stage).toBe('2026-01-01T00:00:03Z');
    expect(latestCrash([null, undefined])).toBeNull();
  });
});
