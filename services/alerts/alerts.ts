/**
 * Alerts to operators: evaluates the pipeline's readings on a timer and sends every alert that
 * fires or resolves to the configured destinations (ALERT_WEBHOOK_URLS, see README, "Alerts").
 */
import { readFileSync } from 'node:fs';
import { isWebhookSecret } from '../platform/webhook-signing.ts';
import { generateWebhookSecret } from '../subscriptions/validation.ts';
import type { Stage } from '../live-status.ts';
import { ConfigError, type AlertsConfig } from '../platform/config.ts';
import type { Logger } from '../platform/logger.ts';
import type { AlertBoard } from './alert-board.ts';
import { AlertEvaluator } from './alert-evaluator.ts';
import { alertMessage, type AlertMessage } from './alert-message.ts';
import { startAlertReceiver, type AlertReceiver } from './alert-receiver.ts';
import { AlertRules } from './alert-rules.ts';
import { AlertSender } from './alert-sender.ts';
import { AlertStates } from './alert-state.ts';
import { pipelineReadings, type ReadingSources } from './pipeline-readings.ts';

/** The signing secret: ALERT_WEBHOOK_SECRET, else the contents of ALERT_WEBHOOK_SECRET_FILE. */
export function loadAlertSecret(config: AlertsConfig): string {
  if (config.secret !== null) return config.secret;
  if (config.secretFile === null) throw new ConfigError(['ALERT_WEBHOOK_URLS needs ALERT_WEBHOOK_SECRET or ALERT_WEBHOOK_SECRET_FILE']);
  let secret: string;
  try {
    secret = readFileSync(config.secretFile, 'utf8').trim();
  } catch (error) {
    throw new ConfigError([`ALERT_WEBHOOK_SECRET_FILE ${config.secretFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  if (!isWebhookSecret(secret)) {
    throw new ConfigError([`ALERT_WEBHOOK_SECRET_FILE ${config.secretFile} must hold "whsec_" followed by the base64 of 24 to 64 random bytes`]);
  }
  return secret;
}

export interface StartAlertsOptions {
  config: AlertsConfig;
  logger: Logger;
  sources: ReadingSources;
  /** Where the operator console reads the alerts firing and resolved. */
  board?: AlertBoard;
}

export interface RunningAlerts {
  destinations: readonly string[];
  /** The alerts firing now. */
  firing(): number;
  /** Alerts sent since start (fired or resolved). */
  count(): number;
  /** The latest alerts sent, oldest first (at most a hundred). */
  sent(): readonly AlertMessage[];
  sender: AlertSender;
  /** One evaluation now (tests; the timer runs them otherwise). */
  evaluate(): Promise<void>;
  close(): Promise<void>;
}

const KEEP_SENT = 100;

export function startAlerts(options: StartAlertsOptions): RunningAlerts {
  const { config, logger, sources } = options;
  if (config.webhookUrls.length === 0) throw new ConfigError(['alerts need at least one destination in ALERT_WEBHOOK_URLS']);
  const sender = new AlertSender({
    urls: config.webhookUrls,
    secret: loadAlertSecret(config),
    allowHosts: config.allowHosts,
    timeoutMs: config.webhookTimeoutMs,
    retryScheduleMs: config.retryScheduleMs,
    logger,
  });
  const states = new AlertStates({ forMs: config.forMs, resolveAfterMs: config.resolveAfterMs });
  const sent: AlertMessage[] = [];
  let count = 0;
  const evaluator = new AlertEvaluator({
    read: pipelineReadings(sources),
    rules: new AlertRules({ lagRecords: config.lagRecords, deadLetters: config.deadLetters, deadLetterWindowMs: config.deadLetterWindowMs }),
    states,
    intervalMs: config.evaluationIntervalMs,
    logger,
    onAlert: (transition) => {
      const message = alertMessage(transition);
      count++;
      sent.push(message);
      options.board?.record(message);
      if (sent.length > KEEP_SENT) sent.shift();
      logger.warn({ alert: message.alert, state: message.state, severity: message.severity }, `alert ${message.state}: ${message.summary}`);
      sender.send(message);
    },
  });
  evaluator.start();
  logger.info({ destinations: config.webhookUrls.map((url) => new URL(url).host), everyMs: config.evaluationIntervalMs }, 'alerts started');
  return {
    destinations: config.webhookUrls,
    firing: () => states.firing().length,
    count: () => count,
    sent: () => sent,
    sender,
    evaluate: () => evaluator.evaluate(),
    async close() {
      await evaluator.stop();
      await sender.close();
    },
  };
}

/**
 * `npm start` on a local stack with no ALERT_WEBHOOK_URLS: alerts go to a receiver on loopback with
 * a secret of this run (so the demo shows them); the alerts settings otherwise stay as configured.
 */
export async function localAlertDestination(config: AlertsConfig): Promise<{ config: AlertsConfig; receiver: AlertReceiver }> {
  const secret = generateWebhookSecret();
  const receiver = await startAlertReceiver(secret);
  const host = new URL(receiver.url).hostname;
  return { receiver, config: { ...config, webhookUrls: [receiver.url], secret, secretFile: null, allowHosts: [...config.allowHosts, host] } };
}

/** npm start's live line: alerts firing, the latest one sent, and what the demo's local receiver got. */
export function alertsStage(alerts: RunningAlerts, receiver?: AlertReceiver): Stage {
  return {
    name: 'alerts',
    total: () => alerts.count(),
    detail: () => {
      const last = alerts.sent().at(-1);
      const lastText = last ? `; last ${last.at.slice(11, 19)} ${last.state === 'firing' ? 'FIRING' : 'resolved'} ${last.what}: ${last.where}` : '';
      const received = receiver ? `; local receiver got ${receiver.counts().accepted}` : '';
      return `${alerts.firing()} firing${lastText}${received}`;
    },
  };
}
