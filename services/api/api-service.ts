/**
 * Starts the HTTP API with the HTTP ingest connector: topics and schemas in place, an idempotent
 * producer (acks=all) behind a coalescing batcher that keeps within the broker's and the raw topics'
 * size limits, then HTTP. Used by `npm start` and the tests.
 */
import type { AddressInfo } from 'node:net';
import { Partitioners } from 'kafkajs';
import { IngestConnector } from '../../connectors/http-ingest/ingest-connector.ts';
import type { PullConnectors } from '../../connectors/main.ts';
import { Registry } from 'prom-client';
import { IngestMetrics } from '../../connectors/http-ingest/metrics.ts';
import { watchAccessPolicy, type LiveAccessPolicy } from '../platform/access.ts';
import { CoalescingProducer } from '../platform/coalescing-producer.ts';
import type { Config } from '../platform/config.ts';
import { createKafka, ingestKafkaConfig } from '../platform/kafka.ts';
import { createLogger, type Logger } from '../platform/logger.ts';
import { preparePipeline, type Pipeline } from '../platform/pipeline-bootstrap.ts';
import { partitionKey } from '../normalizer/mapping/index.ts';
import { readProduceLimits } from '../platform/produce-limits.ts';
import { SubscriptionRoutes } from '../subscriptions/routes.ts';
import type { ClickHouseSinkStatus } from '../../connectors/clickhouse-sink/sink.ts';
import type { NormalizerMetrics } from '../normalizer/metrics.ts';
import type { AlertsReadout } from '../alerts/alert-board.ts';
import type { StageCrash } from '../platform/stage-crash.ts';
import { OperationsView } from '../operations/operations-view.ts';
import { RecentWarnings } from '../operations/recent-warnings.ts';
import { OperationsRoutes } from '../operations/routes.ts';
import { createAvroSerde, type AvroSerde } from '../platform/avro-serde.ts';
import { AuditLog } from '../platform/audit-log.ts';
import type { ClickHouseHandle } from '../platform/clickhouse.ts';
import { AuditReader } from '../audit/audit-reader.ts';
import { AuditRoutes } from '../audit/audit-routes.ts';
import { personKeySecret } from '../platform/person-key.ts';
import { pipelineGroups } from '../sunset/pipeline-groups.ts';
import { Sunset } from '../sunset/sunset.ts';
import { SunsetRoutes } from '../sunset/sunset-routes.ts';
import { ConnectorRoutes } from './connector-routes.ts';
import { buildApi } from './server.ts';

/** Produce requests grow up to this many records while the previous one is in flight. */
const MAX_BATCH_MESSAGES = 10_000;

export interface StartApiOptions {
  config: Config;
  logger?: Logger;
  /** Defaults to config.api.port; 0 picks a free port. */
  port?: number;
  /** Pull connectors run elsewhere in the process but are managed through this API (`/v1/connectors`). */
  connectors?: PullConnectors;
  /** Figures of services in the same process, served at /metrics with ingest's own (registered in it). */
  metrics?: Registry;
  /** The access file as the process follows it; by default the API follows config.api.accessFile itself. */
  access?: LiveAccessPolicy;
  /** Figures of pipeline stages running in the same process, for the operator console. */
  operations?: OperationsFeedsOption;
  /**
   * Where the disclosure audit's table is read: the process's ClickHouse (the embedded engine of
   * `npm start`, or a server). Without it the audit routes answer 503.
   */
  clickhouse?: ClickHouseHandle;
  /**
   * The whole pipeline runs in this process (`npm start`): an operator may run the epidemic's
   * sunset through this API (it pauses this process's connectors, waits for its stages and rotates
   * the secret they all follow). Elsewhere `POST /v1/sunset` answers 503.
   */
  sunset?: boolean;
}

export interface OperationsFeedsOption {
  normalizer?: NormalizerMetrics;
  sink?: () => ClickHouseSinkStatus;
  /** Last crashes of the other stages in this process (the sink's and connectors' come with their status). */
  crashes?: () => readonly (StageCrash | null)[];
  /** The alerts firing and recently resolved (filled once alerts start). */
  alerts?: AlertsReadout;
  /** Where the process's warnings are gathered (its logger feeds them); the console's own otherwise. */
  warnings?: RecentWarnings;
}

export interface RunningApi {
  url: string;
  pipeline: Pipeline;
  ingest: IngestConnector;
  subscriptions: SubscriptionRoutes;
  close(): Promise<void>;
}

export async function startApi(options: StartApiOptions): Promise<RunningApi> {
  const { config } = options;
  const logger = options.logger ?? createLogger('api', config.logLevel);
  const ownAccess = options.access ? null : watchAccessPolicy(config.api.accessFile, logger, config.api.accessReloadMs);
  const access = options.access ?? ownAccess!;
  const kafka = createKafka(config.kafka, logger, 'api');
  const pipeline = await preparePipeline(config, kafka, logger, partitionKey);

  const admin = kafka.admin();
  await admin.connect();
  const limits = await readProduceLimits(admin, [...pipeline.rawCodecs.keys()]).finally(() => admin.disconnect());
  // Ingest's producer logs in as a principal that may only write raw topics (it cannot read topic configurations: the limits come from the admin above).
  const ingestKafka = createKafka(ingestKafkaConfig(config.kafka), logger, 'ingest');
  const batcher = new CoalescingProducer(
    async () => {
      // The batcher foresees partitions with this partitioner to keep every batch within the limits.
      const producer = ingestKafka.producer({ idempotent: true, retry: { retries: 10 }, createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      return producer;
    },
    { lingerMs: config.ingest.lingerMs, maxBatchMessages: MAX_BATCH_MESSAGES, limits },
  );
  await batcher.ready();
  const metrics = options.metrics ?? new Registry();
  const ingest = new IngestConnector({
    config: config.ingest,
    codecs: pipeline.rawCodecs,
    producer: batcher,
    logger,
    metrics: new IngestMetrics(metrics),
    principalOf: (request) => request.principal,
  });
  const subscriptions = await SubscriptionRoutes.start({ config, kafka, logger, access });
  const audit = await AuditLog.open(kafka, createAvroSerde(config.schemaRegistry), config, logger);
  const auditRoutes = new AuditRoutes({
    logger,
    reader: options.clickhouse ? new AuditReader(options.clickhouse, config.audit.database) : null,
    audit,
    personKey: pipeline.personKey,
  });
  const connectors = new ConnectorRoutes({ logger, ingest, pull: options.connectors ?? null });
  const sunset = options.sunset
    ? new Sunset({
      config, logger, kafka, audit, secret: personKeySecret(config.normalizer),
      stages: {
        ingest,
        pullConnectors: () => options.connectors?.connectors ?? [],
        drainGroups: () => pipelineGroups(config, subscriptions.store.list()),
        clickhouse: options.clickhouse ?? null,
      },
    })
    : null;
  const view = new OperationsView(
    {
      connectors: () => connectors.connectors().map((connector) => connector.status()),
      subscriptions: () => subscriptions.store.list().map((subscription) => ({ subscription, status: subscriptions.store.status(subscription.id) })),
      normalizer: options.operations?.normalizer,
      sink: options.operations?.sink,
      crashes: options.operations?.crashes,
      alerts: options.operations?.alerts,
    },
    options.operations?.warnings ?? new RecentWarnings(),
  );
  let serde: AvroSerde | null = null;
  const operations = new OperationsRoutes({
    view,
    kafka,
    logger,
    serde: () => (serde ??= createAvroSerde(config.schemaRegistry)),
    knownStage: (stage) => !stage.startsWith('sink.') || stage === 'sink.clickhouse' || subscriptions.store.get(stage.slice('sink.'.length)) !== undefined,
  });
  const app = buildApi({
    logger,
    access,
    routes: [ingest, connectors, subscriptions, operations, auditRoutes, new SunsetRoutes(sunset, logger)],
    maxBodyBytes: config.ingest.maxBodyBytes,
    metrics,
  });
  await app.listen({ host: config.api.host, port: options.port ?? config.api.port });
  view.start();
  const address = app.server.address() as AddressInfo;
  const url = `http://${address.family === 'IPv6' ? `[${address.address}]` : address.address}:${address.port}`;
  logger.info({ url }, `API listening on ${url}`);

  let closing: Promise<void> | null = null;
  return {
    url,
    pipeline,
    ingest,
    subscriptions,
    close() {
      // Stop taking requests, let the last batch be acknowledged, then leave Kafka.
      view.stop();
      closing ??= app
        .close()
        .then(() => Promise.all([batcher.close(), subscriptions.close(), audit.close()]))
        .then(() => ownAccess?.close());
      return closing;
    },
  };
}
