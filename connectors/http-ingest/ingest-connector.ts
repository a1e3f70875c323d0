/**
 * The HTTP ingest connector: `POST /v1/ingest/{source}/{kind}` takes one JSON record, a JSON array
 * or NDJSON, validates every record against the raw schema of its (source, kind), and writes the
 * valid ones to `raw.<source>.<kind>`. It answers 2xx only after Kafka acknowledged the write
 * (acks=all, idempotent producer); when Kafka does not acknowledge in time it answers 503 with
 * Retry-After and claims nothing.
 *
 * Answers: 202 every record accepted; 207 some accepted, the rest rejected (listed); 422 none
 * accepted. Accepted records are listed with their event ids, rejected ones with each problem's
 * field path. Records are counted while the body is read, and a body is refused as soon as it
 * holds one record too many (413), nests too deep (400) or is too large (413). A record larger than
 * Kafka takes, or records Kafka refused as too large, are 413 too, never 503: sending them again
 * would not help.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Message } from 'kafkajs';
import type { IngestConfig } from '../../services/platform/config.ts';
import { RecordsTooLargeError, type CoalescingProducer } from '../../services/platform/coalescing-producer.ts';
import { sendError, sendKeyRequired } from '../../services/platform/http-errors.ts';
import { framedMessageBytes } from '../../services/platform/record-size.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { rawTopic, sourceEntry, sourcePublishes, type Kind } from '../../services/platform/catalog.ts';
import type { Principal } from '../../services/platform/access.ts';
import { ConnectorCounters, type ConnectorStatus, type ManagedConnector } from '../runtime/managed-connector.ts';
import type { Problem, RawRecordCodec } from '../../services/platform/raw-records.ts';
import type { IngestMetrics } from './metrics.ts';
import { RateLimiter } from './rate-limiter.ts';
import { BodyRefusal, JSON_TYPES, NDJSON_TYPES, bodyFormat, readRecords, type BodyRecord } from './request-body.ts';

export const INGEST_CONNECTOR_NAME = 'http-ingest';
const RETRY_AFTER_SECONDS = 5;

export interface IngestResponse {
  accepted: { index: number; event_id: string; source_record_id: string }[];
  rejected: { index: number; problems: Problem[] }[];
}

/** What the body parser hands the handler: the records, or why the body was refused. */
type ParsedBody = { records: BodyRecord[] } | { refusal: BodyRefusal };

interface IngestParams {
  source: string;
  kind: string;
}

export interface IngestConnectorOptions {
  config: IngestConfig;
  codecs: Map<string, RawRecordCodec>;
  producer: CoalescingProducer;
  logger: Logger;
  metrics: IngestMetrics;
  /** The authenticated caller, as the API's auth hook found it. */
  principalOf: (request: FastifyRequest) => Principal | null;
}

class KafkaTimeoutError extends Error {
  constructor(ms: number) {
    super(`Kafka did not acknowledge within ${ms} ms`);
    this.name = 'KafkaTimeoutError';
  }
}

/** Sends, and gives up after `ms`: records still waiting for a batch are then withdrawn. */
function sendWithin(producer: CoalescingProducer, topic: string, messages: Message[], ms: number): Promise<void> {
  const abort = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    producer.send(topic, messages, abort.signal),
    new Promise<void>((_, reject) => {
      timer = setTimeout(() => {
        abort.abort();
        reject(new KafkaTimeoutError(ms));
      }, ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class IngestConnector implements ManagedConnector {
  readonly name = INGEST_CONNECTOR_NAME;
  readonly type = 'http-ingest';
  private readonly options: IngestConnectorOptions;
  private readonly limiter: RateLimiter;
  private readonly counters = new ConnectorCounters();
  private paused = false;
  /** Requests admitted and not yet answered: pause() waits for them. */
  private readonly admitted = new Set<FastifyRequest>();
  /** Those of them whose records are being converted or written: only the handler's end releases these. */
  private readonly handling = new Set<FastifyRequest>();
  private settled: (() => void) | null = null;

  constructor(options: IngestConnectorOptions) {
    this.options = options;
    this.limiter = new RateLimiter(options.config.ratePerSource, options.config.burstRecords);
  }

  status(): ConnectorStatus {
    // Its producer is shared and never restarted: a Kafka outage shows as errors (503s), not crashes.
    return { name: this.name, type: this.type, state: this.paused ? 'PAUSED' : 'RUNNING', ...this.counters, lastCrash: null };
  }

  /**
   * Refuses new requests (503) and returns once every request admitted before has been answered:
   * from then on nothing more reaches the raw topics until resume() (the sunset drains after this).
   */
  async pause(): Promise<void> {
    this.paused = true;
    if (this.admitted.size > 0) await new Promise<void>((resolve) => (this.settled = resolve));
  }

  private release(request: FastifyRequest): void {
    if (this.handling.has(request)) return;
    if (this.admitted.delete(request) && this.admitted.size === 0 && this.settled) {
      this.settled();
      this.settled = null;
    }
  }

  async resume(): Promise<void> {
    this.paused = false;
  }

  /** Nothing to rebuild: HTTP ingest holds no state between requests. */
  async restart(): Promise<void> {
    this.paused = false;
  }

  /** Registers the route in its own plugin scope, with a body parser that reads records as they arrive. */
  register(app: FastifyInstance): void {
    const { maxBodyBytes, maxRecordsPerRequest } = this.options.config;
    app.register(async (scope) => {
      scope.removeAllContentTypeParsers();
      scope.addContentTypeParser([...JSON_TYPES, ...NDJSON_TYPES], (request, payload, done) => {
        const declared = Number(request.headers['content-length']);
        if (declared > maxBodyBytes) {
          done(null, { refusal: new BodyRefusal(413, 'payload_too_large', `the body is larger than the limit of ${maxBodyBytes} bytes`) } satisfies ParsedBody);
          payload.resume();
          return;
        }
        readRecords(payload, bodyFormat(request.headers['content-type'])!, { maxRecords: maxRecordsPerRequest, maxBytes: maxBodyBytes }).then(
          (records) => done(null, { records } satisfies ParsedBody),
          (error: Error) => (error instanceof BodyRefusal ? done(null, { refusal: error } satisfies ParsedBody) : done(error)),
        );
      });
      scope.post<{ Params: IngestParams }>('/v1/ingest/:source/:kind', {
        onRequest: (request, reply, done) => {
          // Caller, route and content type are checked before the body is read.
          if (this.refuse(request, reply)) return;
          this.admitted.add(request);
          done();
        },
        // Answered before its handler ran (a bad body), or given up by the client while its body was read.
        onResponse: (request, _reply, done) => {
          this.release(request);
          done();
        },
        onRequestAbort: (request, done) => {
          this.release(request);
          done();
        },
        handler: async (request, reply) => {
          this.handling.add(request);
          try {
            return await this.handle(request, reply);
          } finally {
            this.handling.delete(request);
            this.release(request);
          }
        },
      });
    });
  }

  /** Answers the request with an error and returns true, or returns false when it may proceed. */
  private refuse(request: FastifyRequest<{ Params: IngestParams }>, reply: FastifyReply): boolean {
    const principal = this.options.principalOf(request);
    const { source, kind } = request.params;
    if (!principal) {
      sendKeyRequired(reply);
      return true;
    }
    if (!sourceEntry(source)) {
      sendError(reply, 404, 'unknown_source', `unknown source ${JSON.stringify(source)}`);
      return true;
    }
    if (!sourcePublishes(source, kind)) {
      sendError(reply, 404, 'unknown_kind', `source ${source} does not publish kind ${JSON.stringify(kind)}`, {
        details: { kinds: Object.keys(sourceEntry(source)!.kinds) },
      });
      return true;
    }
    if (principal.type !== 'source' || principal.source !== source) {
      sendError(reply, 403, 'forbidden', `this key may not publish ${source} records`);
      return true;
    }
    if (this.paused) {
      sendError(reply, 503, 'paused', 'ingest is paused by an operator', { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
      return true;
    }
    if (!bodyFormat(request.headers['content-type'])) {
      sendError(reply, 415, 'unsupported_media_type',
        `content type ${JSON.stringify(request.headers['content-type'] ?? '')} is not accepted; use application/json or application/x-ndjson`);
      return true;
    }
    return false;
  }

  private async handle(request: FastifyRequest<{ Params: IngestParams }>, reply: FastifyReply): Promise<FastifyReply> {
    const { source } = request.params;
    const kind = request.params.kind as Kind;
    const { config, codecs, producer, logger, metrics } = this.options;
    const labels = { source, kind };
    const receivedAt = Date.now();

    const body = request.body as ParsedBody;
    if ('refusal' in body) return sendError(reply, body.refusal.status, body.refusal.code, body.refusal.message);
    const { records } = body;
    if (records.length === 0) return sendError(reply, 400, 'empty_body', 'the body holds no records');
    const waitSeconds = this.limiter.take(source, records.length);
    if (waitSeconds > 0) {
      return sendError(reply, 429, 'rate_limited', `source ${source} is over its rate of ${config.ratePerSource} records/s`, {
        headers: { 'retry-after': String(waitSeconds) },
      });
    }

    const codec = codecs.get(rawTopic(source, kind))!;
    const response: IngestResponse = { accepted: [], rejected: [] };
    const messages: Message[] = [];
    const oversize: { index: number; bytes: number }[] = [];
    const limit = producer.maxBatchBytes(codec.topic);
    for (const [index, record] of records.entries()) {
      if (record.error !== undefined) {
        response.rejected.push({ index, problems: [{ path: '(record)', message: record.error }] });
        continue;
      }
      const conversion = codec.convert(record.value, receivedAt, this.name);
      if (!conversion.ok) {
        response.rejected.push({ index, problems: conversion.problems });
        continue;
      }
      const bytes = framedMessageBytes(conversion.record.message);
      if (bytes > limit) oversize.push({ index, bytes });
      response.accepted.push({ index, event_id: conversion.record.eventId, source_record_id: conversion.record.sourceRecordId });
      messages.push(conversion.record.message);
    }
    if (oversize.length > 0) {
      this.counters.rejected += records.length;
      metrics.rejected.inc(labels, records.length);
      const [first] = oversize;
      return sendError(reply, 413, 'record_too_large',
        `record ${first!.index} takes ${first!.bytes} bytes in Kafka, which accepts at most ${limit} per record${oversize.length > 1 ? ` (and ${oversize.length - 1} more records are too large)` : ''}; nothing was accepted`,
        { details: { limit, records: oversize } });
    }
    this.counters.rejected += response.rejected.length;
    metrics.rejected.inc(labels, response.rejected.length);

    if (messages.length === 0) {
      return sendError(reply, 422, 'no_valid_records', `none of the ${records.length} records is valid`, { details: response });
    }
    try {
      await sendWithin(producer, codec.topic, messages, config.sendTimeoutMs);
    } catch (error) {
      if (error instanceof RecordsTooLargeError) {
        this.counters.rejected += messages.length;
        metrics.rejected.inc(labels, messages.length);
        return sendError(reply, 413, 'records_too_large',
          `${error.message}; nothing was accepted: send fewer or smaller records per request`, { details: { bytes: error.bytes, limit: error.limit } });
      }
      this.counters.fail(error);
      metrics.unacknowledged.inc(labels, messages.length);
      logger.warn({ source, kind, records: messages.length, err: (error as Error).message }, 'ingest write not acknowledged; answered 503');
      return sendError(reply, 503, 'kafka_unavailable', 'the records could not be written now; nothing was accepted, send them again later', {
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      });
    }
    this.counters.records += messages.length;
    metrics.accepted.inc(labels, messages.length);
    return reply.code(response.rejected.length === 0 ? 202 : 207).send(response);
  }
}
