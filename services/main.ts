/**
 * `npm start`: the whole pipeline in the foreground — the local stack (Kafka, schema registry), the
 * HTTP API with the ingest connector and subscriptions, the pull connectors, the normalizer, the
 * ClickHouse sink with the analysts' endpoint, the subscriber fan-out with a demo agency, and a demo
 * feed posting generated records through the real ingest. One live status line per stage.
 * Ctrl-C stops what this run started and keeps the data; `--reset` starts empty.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Registry } from 'prom-client';
import { ClickHouseSinkMetrics } from '../connectors/clickhouse-sink/metrics.ts';
import { startClickHouseSink } from '../connectors/clickhouse-sink/sink.ts';
import { startPullConnectors } from '../connectors/main.ts';
import { caFile } from '../infra/stack/kafka-security.ts';
import { followAgencyAccess } from '../infra/stack/agency-access.ts';
import { agencyBootstrap, grantAgency } from '../infra/stack/kafka-broker.ts';
import { up, down, status, type ComponentStatus } from '../infra/stack/stack.ts';
import { AlertBoard } from './alerts/alert-board.ts';
import { alertsStage, localAlertDestination, startAlerts } from './alerts/alerts.ts';
import { startApi } from './api/api-service.ts';
import { startClickHouseEndpoint } from './clickhouse-endpoint/endpoint.ts';
import { DEMO_AGENCY, demoAgencyKafkaPassword, demoAgencyStage, ensureDemoAgency, startDemoAgency, withDemoReceiverAllowed } from './demo/demo-agency.ts';
import { startFanout } from './fanout/fanout.ts';
import { fanoutStage } from './fanout/live-stages.ts';
import { LiveStatus } from './live-status.ts';
import { RecentWarnings } from './operations/recent-warnings.ts';
import { ensureLocalAccess } from './local-access.ts';
import { NormalizerMetrics } from './normalizer/metrics.ts';
import { startNormalizer } from './normalizer/normalizer.ts';
import { personKeySecret } from './platform/person-key.ts';
import { watchAccessPolicy, type IssuedKeys } from './platform/access.ts';
import { createClickHouse } from './platform/clickhouse.ts';
import { ConfigError, loadConfig, type Config } from './platform/config.ts';
import { createFileLogger } from './platform/logger.ts';
import { latestCrash, type StageCrash } from './platform/stage-crash.ts';

const HELP = `usage: npm start [-- --reset]

Runs the whole Truc pipeline on the local stack until Ctrl-C; data is kept in TRUC_DATA_DIR (.truc).
  --reset   stop the local stack and delete its data (Kafka, ClickHouse, drop folder) before starting
Configuration: environment variables (README, "Configuration"); DEMO_FEED_RATE=0 turns the demo feed off.
`;

const HEALTH_CHECK_INTERVAL_MS = 5_000;

function describe(components: ComponentStatus[]): string {
  return components.map((c) => `${c.name} ${c.serving ? 'up' : 'DOWN'} (${c.address})`).join(' | ');
}

/** Stops the local stack and deletes what it holds; keys and secrets stay, so callers keep working. */
async function reset(config: Config): Promise<void> {
  await down(config);
  const stillServing = (await status(config)).filter((component) => component.serving);
  if (stillServing.length > 0) {
    throw new Error(`--reset: ${describe(stillServing)} still serving but not started by Truc; stop it first`);
  }
  // The drop root holds every file connector's folder; the instances themselves are in Kafka.
  for (const folder of [path.join(config.dataDir, 'kafka'), config.clickhouse.dataDir, config.connect.dropRoot]) {
    // Only what lives in Truc's own data folder: a drop folder configured elsewhere belongs to others.
    if (path.relative(config.dataDir, folder).startsWith('..')) console.log(`reset: ${folder} is outside ${config.dataDir}; left as it is`);
    else rmSync(folder, { recursive: true, force: true });
  }
  console.log(`reset: deleted the data in ${config.dataDir}`);
}

/** The keys `npm start` issued for this machine, if it did (production access files have none). */
function localKeys(config: Config): IssuedKeys | null {
  const file = path.join(path.dirname(config.api.accessFile), 'local-keys.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as IssuedKeys) : null;
}

async function run(): Promise<void> {
  const { values } = parseArgs({ options: { reset: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } } });
  if (values.help) {
    process.stdout.write(HELP);
    return;
  }
  const config = loadConfig();
  let lastProblem: string | null = null;
  const logFile = path.join(config.dataDir, 'logs/truc.log');
  // The operator console shows the latest warnings too.
  const warnings = new RecentWarnings();
  const logger = createFileLogger('truc', config.logLevel, logFile, (problem) => {
    lastProblem = problem;
    warnings.add('log', problem);
  });
  let stopping = false;
  const stopSignal = new Promise<void>((resolve) => {
    const stop = () => {
      stopping = true;
      resolve();
    };
    // Ctrl-C under `npm start` arrives twice (the terminal signals npm and Truc, and npm forwards its
    // copy): the repeat must not end the process by default halfway through stopping.
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });

  if (values.reset) await reset(config);
  const { started, status: initial } = await up(config);
  logger.info({ started }, `stack ready: ${describe(initial)}`);
  const keysFile = ensureLocalAccess(config.api.accessFile);
  // On a local stack: the demo agency (its key joins the local keys), before the API loads the access file.
  const localStack = localKeys(config) !== null;
  if (localStack) ensureDemoAgency(config.api.accessFile);
  // …and its own Kafka login for its topics out.demo.* on the agency listener (SASL/SCRAM over TLS).
  const demoKafkaLogin = localStack ? await grantAgency(config, DEMO_AGENCY, demoAgencyKafkaPassword(config.api.accessFile)) : null;
  // A local stack keeps its person_key secret in its data folder, made on first start.
  personKeySecret(config.normalizer, true);

  // Every stage of the process registers its figures here; the API serves them at /metrics.
  const metrics = new Registry();
  const clickhouse = await createClickHouse(config.clickhouse);
  const sink = await startClickHouseSink({ config, logger, clickhouse, metrics: new ClickHouseSinkMetrics(metrics) });
  // One watcher of the access file for the API, the fan-out and the analysts' endpoint: all apply a change at the same moment.
  const access = watchAccessPolicy(config.api.accessFile, logger, config.api.accessReloadMs);
  const endpoint = clickhouse.mode === 'embedded' ? await startClickHouseEndpoint({
    config, logger, clickhouse, analysts: () => access.current().analysts(), analystRowLevel: (analyst) => access.current().analystRowLevel(analyst),
  }) : null;
  const normalizer = await startNormalizer({ config, logger, metrics: new NormalizerMetrics(metrics) });
  const pull = await startPullConnectors(config, logger);
  // The fan-out and alerts start after the API: the console reads them once they run.
  let fanoutCrash = (): StageCrash | null => null;
  const alertBoard = new AlertBoard();
  const api = await startApi({
    config, logger, connectors: pull, metrics, access, clickhouse, sunset: true,
    operations: { normalizer: normalizer.metrics, sink: () => sink.status(), warnings, crashes: () => [normalizer.status().lastCrash, fanoutCrash()], alerts: alertBoard },
  });
  const fanoutConfig = localStack ? withDemoReceiverAllowed(config) : config;
  const fanout = await startFanout({ config: fanoutConfig, logger, access, metrics });
  fanoutCrash = () => fanout.status().lastCrash;
  // Agencies removed from the access file lose their Kafka logins (also those removed while Truc was down).
  const agencyAccess = localStack ? followAgencyAccess({ config, logger, access }) : null;
  const demoAgency = localStack ? await startDemoAgency({ config: fanoutConfig, logger, access: access.current(), store: fanout.store }) : null;
  let components = initial;
  // Alerts go to ALERT_WEBHOOK_URLS; on a local stack without any, to a local receiver shown in the live view.
  const localAlerts = localStack && config.alerts.webhookUrls.length === 0 ? await localAlertDestination(config.alerts) : null;
  const alertsConfig = localAlerts?.config ?? config.alerts;
  const alerts = alertsConfig.webhookUrls.length > 0
    ? startAlerts({ config: alertsConfig, logger, board: alertBoard, sources: { fanout, normalizer, sink, connectors: () => [api.ingest.status(), ...pull.connectors.map((c) => c.status())], components: () => components } })
    : null;
  const keys = localKeys(config);
  // The demo feed brings the whole generator with it: loaded only when it runs.
  const feed =
    keys && config.demoFeed.ratePerSecond > 0
      ? (await import('./demo/demo-feed.ts')).startDemoFeed({ apiUrl: api.url, sourceKeys: keys.sources, config: config.demoFeed, logger })
      : null;

  console.log(
    [
      '',
      'Truc is running. Ctrl-C stops it (data is kept; `npm start -- --reset` starts empty).',
      `  API            ${api.url}   (OpenAPI: ${api.url}/openapi.json, Prometheus: ${api.url}/metrics)`,
      `  console        ${api.url}/console  (sign in with the operator key in local-keys.json)`,
      `  ingest         POST ${api.url}/v1/ingest/<source>/<kind>  with  Authorization: Bearer <source key>`,
      `  drop folder    ${config.fileConnector.dropDir}  (checkpoint-ops CSV and gate-reader JSON/NDJSON; more folders and pollers: /v1/connectors)`,
      endpoint
        ? `  ClickHouse     ${endpoint.url}  (read-only; user ${config.clickhouseEndpoint.user}, password in ${config.clickhouseEndpoint.password ? 'CLICKHOUSE_ANALYST_PASSWORD' : config.clickhouseEndpoint.passwordFile})`
        : `  ClickHouse     ${config.clickhouse.url}`,
      `  try            npm run truc -- sql "SELECT province_code, sum(declarations) AS n FROM declarations_daily GROUP BY 1 ORDER BY n DESC LIMIT 5"`,
      `                 npm run truc -- sql "SELECT checkpoint_id, sum(passages) AS turned_back FROM passages_hourly WHERE outcome = 'TURNED_BACK' GROUP BY 1 ORDER BY 2 DESC LIMIT 5"`,
      `                 npm run truc -- status     (stack, connectors, lag)`,
      `  Kafka          ${initial[0]?.address}    schema registry ${config.schemaRegistry.url}  (HTTP Basic; Truc's credentials in ${config.schemaRegistry.userInfo ? 'SCHEMA_REGISTRY_USER_INFO' : config.schemaRegistry.userInfoFile}, more with npm run truc -- registry-credential)`,
      demoKafkaLogin
        ? `  agencies' Kafka ${agencyBootstrap(config)}  (SASL_SSL, SCRAM-SHA-512, CA ${caFile(config)}); demo agency user ${demoKafkaLogin.username}, password in local-keys.json (agencyKafkaPasswords)`
        : `  agencies' Kafka not secured by this stack (${initial[0]?.address} was already serving)`,
      keysFile ? `  API keys       created for this machine in ${keysFile}` : `  access file    ${config.api.accessFile}`,
      `  agencies       POST ${api.url}/v1/subscriptions  (webhook or topic out.<agency>.<kind>)${demoAgency ? `; demo agency "${DEMO_AGENCY}": webhook receiver ${demoAgency.receiver.url} and topics out.${DEMO_AGENCY}.<kind>, key in local-keys.json` : ''}`,
      `  alerts         ${alerts ? `to ${alerts.destinations.map((url) => new URL(url).host).join(', ')}${localAlerts ? ' (a local receiver; ALERT_WEBHOOK_URLS sends them elsewhere)' : ''}, shown on the "alerts" line` : 'off (ALERT_WEBHOOK_URLS)'}`,
      `  demo feed      ${feed ? `${config.demoFeed.ratePerSecond} records/s through HTTP ingest (DEMO_FEED_RATE=0 turns it off)` : 'off'}`,
      `  logs           ${logFile}  (Kafka and registry: ${path.join(config.dataDir, 'logs')})`,
      '',
    ].join('\n'),
  );

  const sumOf = async (counter: { get(): Promise<{ values: { value: number }[] }> }) => (await counter.get()).values.reduce((sum, v) => sum + v.value, 0);
  const ingestStatus = () => [api.ingest.status(), ...pull.connectors.map((connector) => connector.status())];
  const live = new LiveStatus({
    out: process.stdout,
    lastProblem: () => lastProblem,
    lastCrash: () =>
      latestCrash([normalizer.status().lastCrash, sink.status().lastCrash, fanout.status().lastCrash, ...pull.connectors.map((c) => c.status().lastCrash)]),
    stages: [
      {
        name: 'ingested',
        total: () => ingestStatus().reduce((sum, s) => sum + s.records, 0),
        detail: () => `refused ${ingestStatus().reduce((sum, s) => sum + s.rejected, 0)}`,
      },
      { name: 'normalised', total: () => sumOf(normalizer.metrics.recordsOut), detail: async () => `lag ${await sumOf(normalizer.metrics.lag)}` },
      { name: 'duplicates', total: () => sumOf(normalizer.metrics.duplicates) },
      { name: 'dead letters', total: () => sumOf(normalizer.metrics.deadLetters), detail: () => 'dlq.normalizer (npm run truc -- dlq list)' },
      {
        name: 'in ClickHouse',
        total: () => Object.values(sink.status().rowsWritten).reduce((sum, n) => sum + n, 0),
        detail: () => {
          const s = sink.status();
          return `lag ${s.lag}  dead letters ${s.deadLetters}${s.failing ? `  FAILING: ${s.lastError}` : ''}`;
        },
      },
      fanoutStage(fanout),
      ...(demoAgency ? [demoAgencyStage(demoAgency, fanout)] : []),
      ...(alerts ? [alertsStage(alerts, localAlerts?.receiver)] : []),
    ],
  });
  live.start();

  // Watch the components so an operator sees at once when one of them stops serving.
  let lastReport = describe(initial);
  while (!stopping) {
    await Promise.race([sleep(HEALTH_CHECK_INTERVAL_MS), stopSignal]);
    if (stopping) break;
    components = await status(config);
    const report = describe(components);
    if (report !== lastReport) {
      logger.warn(`stack changed: ${report}`);
      lastReport = report;
    }
  }

  live.stop();
  console.log('\nstopping…');
  await feed?.close();
  await alerts?.close();
  await localAlerts?.receiver.close();
  await demoAgency?.close();
  await fanout.close();
  await api.close();
  agencyAccess?.close();
  await agencyAccess?.settled();
  access.close();
  await pull.close();
  await normalizer.close();
  await sink.close();
  await endpoint?.close();
  await clickhouse.close();
  await down(config, started);
  console.log(`stopped; data kept in ${config.dataDir}`);
}

try {
  await run();
} catch (error) {
  console.error(error instanceof ConfigError ? error.message : `truc: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
}
