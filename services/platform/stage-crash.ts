/**
 * Crashes of a stage's consumers and producers, told in the log and kept for status: what failed
 * (error class, message) and where (the stage), and whether it restarts. kafkajs restarts a crashed
 * consumer by itself after a wait, and its own "Restarting the consumer in …" line names no cause,
 * so every stage records the consumer's CRASH event here.
 *
 * kafkajs does not restart a consumer whose error it deems final, and some of those come from a mere
 * broker restart (the group coordinator not found while the broker starts): such a consumer would
 * stay stopped for good, the stage silently dead. A stage that gives `restart` has it started again
 * after a back-off instead.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer } from 'kafkajs';
import { backoffDelay, DEFAULT_BACKOFF } from './backoff.ts';
import type { Logger } from './logger.ts';

export interface StageCrash {
  /** When it crashed (ISO 8601). */
  at: string;
  /** The stage that crashed, e.g. "normalizer" or "fanout subscription sub-1". */
  stage: string;
  /** The class of the error at the root of the crash (kafkajs wraps it in retry errors). */
  errorClass: string;
  message: string;
  /** How many times this stage restarted after a crash since the process started. */
  restarts: number;
  /** False when the stage stopped for good (an error kafkajs does not retry). */
  restarting: boolean;
}

/** Error messages can be long (stacks of causes); the log and status keep the start. */
const MAX_MESSAGE_CHARS = 500;

/** The innermost cause: kafkajs' KafkaJSNumberOfRetriesExceeded wraps what really failed. */
function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 10 && current instanceof Error && current.cause instanceof Error; depth += 1) current = current.cause;
  return current;
}

/** The error class and message of an error's root cause; a Kafka protocol error also names its code. */
export function describeError(error: unknown): { errorClass: string; message: string } {
  const cause = rootCause(error);
  if (!(cause instanceof Error)) return { errorClass: typeof cause, message: String(cause).slice(0, MAX_MESSAGE_CHARS) };
  const type = (cause as { type?: unknown }).type;
  const message = typeof type === 'string' ? `${type}: ${cause.message}` : cause.message;
  return { errorClass: cause.name, message: message.slice(0, MAX_MESSAGE_CHARS) };
}

export class CrashRecorder {
  private readonly stage: string;
  private readonly logger: Logger;
  private restarts = 0;
  private last: StageCrash | null = null;
  private closed = false;

  constructor(stage: string, logger: Logger) {
    this.stage = stage;
    this.logger = logger;
  }

  get lastCrash(): StageCrash | null {
    return this.last;
  }

  /** Logs the crash at error level with its cause, and keeps it as the last crash. */
  record(error: unknown, restarting: boolean, part?: string): StageCrash {
    if (restarting) this.restarts += 1;
    const stage = part ? `${this.stage} ${part}` : this.stage;
    const { errorClass, message } = describeError(error);
    this.last = { at: new Date().toISOString(), stage, errorClass, message, restarts: this.restarts, restarting };
    const outcome = restarting ? 'restarting' : 'stopped, not restarting';
    this.logger.error({ stage, errorClass, err: message, restarts: this.restarts, restarting }, `${stage} crashed: ${errorClass}: ${message}; ${outcome}`);
    return this.last;
  }

  /**
   * Records every crash of `consumer`. `part` names it within the stage (e.g. a subscription);
   * `restart` connects and runs it again, for the crashes kafkajs does not restart itself.
   */
  watch(consumer: Consumer, options: { part?: string; restart?: () => Promise<void> } = {}): void {
    const { part, restart } = options;
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      const ours = !payload.restart && restart !== undefined && !this.closed;
      this.record(payload.error, payload.restart || ours, part);
      if (ours) void this.restartAfterBackoff(restart, part);
    });
  }

  /** No more restarts: the stage is closing (its consumers are being disconnected on purpose). */
  close(): void {
    this.closed = true;
  }

  private async restartAfterBackoff(restart: () => Promise<void>, part: string | undefined): Promise<void> {
    for (let attempt = 1; ; attempt += 1) {
      await sleep(backoffDelay(attempt, { ...DEFAULT_BACKOFF, initialMs: 1_000 }));
      if (this.closed) return;
      try {
        await restart();
        return;
      } catch (error) {
        this.record(error, true, part);
      }
    }
  }
}

/** The most recent of several stages' last crashes, if any crashed. */
export function latestCrash(crashes: readonly (StageCrash | null | undefined)[]): StageCrash | null {
  let latest: StageCrash | null = null;
  for (const crash of crashes) if (crash && (!latest || crash.at > latest.at)) latest = crash;
  return latest;
}

/** One line for a terminal: when, where, what, and whether it restarts. */
export function formatCrash(crash: StageCrash): string {
  const outcome = crash.restarting ? `restarted (${crash.restarts}×)` : 'STOPPED';
  return `${crash.at} ${crash.stage}: ${crash.errorClass}: ${crash.message}; ${outcome}`;
}
