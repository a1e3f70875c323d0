/**
 * The operator console on the API: the page and its assets at /console (static, no data in them),
 * the live snapshot, and the dead-letter browser (list with filters, one in full, replay of the
 * normalizer's after a fix with `truc dlq`'s rules). Every data route needs the operator key; the
 * page sends the key it was given as a bearer key, like any other client.
 */
import { readFileSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kafka } from 'kafkajs';
import type { AvroSerde } from '../platform/avro-serde.ts';
import {
  DEAD_LETTER_STAGE_PATTERN, deadLetterDetail, dlqTopicOf, findDeadLetter, planReplay, readDeadLetters, replayDeadLetters, replayRefusal,
  summarizeDeadLetter, type DeadLetterFilters,
} from '../platform/dead-letters.ts';
import { sendError } from '../platform/http-errors.ts';
import type { Logger } from '../platform/logger.ts';
import { requireOperator, type RouteProvider } from '../api/server.ts';
import type { OperationsView } from './operations-view.ts';

const ASSETS: Record<string, { file: string; type: string }> = {
  '': { file: 'index.html', type: 'text/html; charset=utf-8' },
  'console.css': { file: 'console.css', type: 'text/css; charset=utf-8' },
  'console.js': { file: 'console.js', type: 'text/javascript; charset=utf-8' },
};

/** Only Truc's own files, no inline script, no framing; the page talks to this API only. */
const PAGE_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-cache',
};

/** Dead-letter topics are read in full for each look: a few at once at most. */
const MAX_CONCURRENT_SCANS = 2;
const MAX_PAGE = 200;
const REPLAY_MAX_BODY_BYTES = 4_096;

const name = { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' };
const stage = { type: 'string', pattern: DEAD_LETTER_STAGE_PATTERN.source, maxLength: 140 };
const instant = { type: 'string', format: 'date-time', maxLength: 40 };
const filterProperties = { source: name, kind: name, errorClass: name, from: instant, to: instant };

interface FilterQuery {
  source?: string;
  kind?: string;
  errorClass?: string;
  from?: string;
  to?: string;
}

function filtersOf(query: FilterQuery): DeadLetterFilters {
  return {
    source: query.source,
    kind: query.kind,
    errorClass: query.errorClass,
    fromMs: query.from === undefined ? undefined : Date.parse(query.from),
    toMs: query.to === undefined ? undefined : Date.parse(query.to),
  };
}

/** Route hook: answered before the body is parsed or the query validated, so a caller without the key learns nothing. */
async function operatorOnly(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> {
  if (!requireOperator(request, reply)) return reply;
  return undefined;
}

export interface OperationsRoutesOptions {
  view: OperationsView;
  kafka: Kafka;
  /** Decodes a dead letter shown in full. */
  serde: () => AvroSerde;
  logger: Logger;
  /** Whether a stage's dead-letter topic exists to be read (sink.<id> of a subscription that never was has none). */
  knownStage: (stage: string) => boolean;
}

export class OperationsRoutes implements RouteProvider {
  private readonly options: OperationsRoutesOptions;
  private readonly assets = new Map<string, { body: Buffer; type: string }>();
  private scans = 0;

  constructor(options: OperationsRoutesOptions) {
    this.options = options;
    for (const [path, { file, type }] of Object.entries(ASSETS)) {
      this.assets.set(path, { body: readFileSync(new URL(`./console/${file}`, import.meta.url)), type });
    }
  }

  /** Runs a read of a dead-letter topic unless too many are under way (429). */
  private async scanning<T>(stage: string, reply: FastifyReply, scan: () => Promise<T>): Promise<T | FastifyReply> {
    if (!this.options.knownStage(stage)) return sendError(reply, 404, 'unknown_stage', `no stage ${JSON.stringify(stage)} with dead letters`);
    if (this.scans >= MAX_CONCURRENT_SCANS) {
      return sendError(reply.header('retry-after', '2'), 429, 'busy', 'dead-letter topics are being read already; try again in a moment');
    }
    this.scans += 1;
    try {
      return await scan();
    } catch (error) {
      // A subscription's dead-letter topic is made when the fan-out first runs it.
      if ((error as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION') return sendError(reply, 404, 'unknown_stage', `stage ${JSON.stringify(stage)} has no dead-letter topic yet`);
      throw error;
    } finally {
      this.scans -= 1;
    }
  }

  register(app: FastifyInstance): void {
    const { view, kafka, logger } = this.options;
    const serveAsset = (path: string, reply: FastifyReply) => {
      const asset = this.assets.get(path);
      if (!asset) return sendError(reply, 404, 'not_found', 'no such console file');
      return reply.headers(PAGE_HEADERS).type(asset.type).send(asset.body);
    };
    app.get('/console', async (_request, reply) => serveAsset('', reply));
    app.get<{ Params: { asset: string } }>('/console/:asset', async (request, reply) => serveAsset(request.params.asset, reply));

    app.get('/v1/operations/snapshot', async (request, reply) => {
      if (!requireOperator(request, reply)) return reply;
      return reply.header('cache-control', 'no-store').send(await view.snapshot());
    });

    app.get<{ Querystring: FilterQuery & { stage: string; limit: number; skip: number } }>(
      '/v1/operations/dead-letters',
      {
        schema: {
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              stage: { ...stage, default: 'normalizer' },
              ...filterProperties,
              limit: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 50 },
              skip: { type: 'integer', minimum: 0, maximum: 10_000_000, default: 0 },
            },
          },
        },
        onRequest: operatorOnly,
      },
      async (request, reply) => {
        const { stage: which, limit, skip } = request.query;
        const topic = dlqTopicOf(which)!;
        return this.scanning(which, reply, async () => {
          const letters = await readDeadLetters(kafka, topic, filtersOf(request.query));
          // Newest first: the operator looks for what just went wrong.
          letters.sort((a, b) => Number(b.message.timestamp) - Number(a.message.timestamp) || a.partition - b.partition || Number(b.message.offset) - Number(a.message.offset));
          const page = letters.slice(skip, skip + limit);
          return reply.header('cache-control', 'no-store').send({
            stage: which,
            topic,
            total: letters.length,
            replayable: replayRefusal(which) === null,
            deadLetters: page.map(summarizeDeadLetter),
            nextSkip: skip + limit < letters.length ? skip + limit : null,
          });
        });
      },
    );

    app.get<{ Params: { stage: string; position: string } }>(
      '/v1/operations/dead-letters/:stage/:position',
      {
        schema: {
          params: {
            type: 'object',
            properties: { stage, position: { type: 'string', pattern: '^\\d{1,6}:\\d{1,19}$' } },
          },
        },
        onRequest: operatorOnly,
      },
      async (request, reply) => {
        const { stage: which, position } = request.params;
        const [partition, offset] = position.split(':') as [string, string];
        const topic = dlqTopicOf(which)!;
        return this.scanning(which, reply, async () => {
          const found = await findDeadLetter(kafka, topic, Number(partition), String(BigInt(offset)));
          if (!found) return sendError(reply, 404, 'not_found', `no dead letter at ${position} in ${topic}`);
          // An operator's look at personal data: who looked at which one is kept, never what it holds.
          logger.info({ stage: which, position }, 'dead letter shown to an operator');
          return reply.header('cache-control', 'no-store').send({ stage: which, ...(await deadLetterDetail(this.options.serde(), found)) });
        });
      },
    );

    app.post<{ Body: FilterQuery & { stage: string; dryRun: boolean } }>(
      '/v1/operations/dead-letters/replay',
      {
        bodyLimit: REPLAY_MAX_BODY_BYTES,
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['dryRun'],
            properties: { stage: { ...stage, default: 'normalizer' }, ...filterProperties, dryRun: { type: 'boolean' } },
          },
        },
        onRequest: operatorOnly,
      },
      async (request, reply) => {
        const { stage: which, dryRun } = request.body;
        const refusal = replayRefusal(which);
        if (refusal) return sendError(reply, 422, 'not_replayable', refusal);
        return this.scanning(which, reply, async () => {
          const plan = planReplay(await readDeadLetters(kafka, dlqTopicOf(which)!, filtersOf(request.body)));
          if (!dryRun) await replayDeadLetters(kafka, plan);
          const topics = [...plan.byTopic].map(([topic, messages]) => ({ topic, count: messages.length }));
          logger.info({ dryRun, topics, skipped: plan.skipped }, dryRun ? 'dead-letter replay planned by an operator' : 'dead letters replayed by an operator');
          return { stage: which, dryRun, replayed: topics.reduce((sum, t) => sum + t.count, 0), topics, skipped: plan.skipped };
        });
      },
    );
  }
}
