/**
 * Sends each alert to every destination: a POST signed exactly like an agency webhook, through the
 * fan-out's webhook client and so its egress guard (private and loopback addresses only for hosts
 * on ALERT_WEBHOOK_ALLOW_HOSTS). A destination that does not answer 2xx is tried again after each
 * wait of the retry schedule (with jitter), with the same webhook-id. An alert is never dropped
 * silently: one that a destination refused, or that ran out of retries, or that was still waiting
 * when Truc stopped, is logged as an error naming the alert and the destination's host (alerts hold
 * no personal data; a destination's path may hold a token, so it is not logged).
 */
import type { Logger } from '../platform/logger.ts';
import { WebhookClient } from '../fanout/webhook-client.ts';
import { withJitter } from '../fanout/webhook-delivery.ts';
import { BlockedDestinationError } from '../platform/webhook-target.ts';
import type { AlertMessage } from './alert-message.ts';

export interface AlertSenderOptions {
  urls: readonly string[];
  secret: string;
  allowHosts: readonly string[];
  timeoutMs: number;
  retryScheduleMs: readonly number[];
  logger: Logger;
}

export interface DeliveryOutcome {
  alert: string;
  state: AlertMessage['state'];
  destination: string;
  delivered: boolean;
  attempts: number;
}

export class AlertSender {
  private readonly options: AlertSenderOptions;
  private readonly client: WebhookClient;
  /** Retries waiting, by timer, with what to log if Truc stops first. */
  private readonly waiting = new Map<NodeJS.Timeout, () => void>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly outcomes: DeliveryOutcome[] = [];
  private closed = false;

  constructor(options: AlertSenderOptions) {
    this.options = options;
    this.client = new WebhookClient({ timeoutMs: options.timeoutMs, allowHosts: options.allowHosts, userAgent: 'truc-alerts' });
  }

  /** Outcomes so far (delivered or given up), oldest first. */
  results(): readonly DeliveryOutcome[] {
    return this.outcomes;
  }

  send(message: AlertMessage): void {
    const body = JSON.stringify(message);
    for (const url of this.options.urls) this.attempt(message, url, body, 0);
  }

  private attempt(message: AlertMessage, url: string, body: string, attempt: number): void {
    const { logger, secret, retryScheduleMs } = this.options;
    const destination = new URL(url).host;
    const fields = { alert: message.alert, state: message.state, destination, attempts: attempt + 1 };
    const finish = (delivered: boolean) => this.outcomes.push({ alert: message.alert, state: message.state, destination, delivered, attempts: attempt + 1 });
    const sending = this.client
      .post(url, secret, message.id, body)
      .then((status) => {
        if (status < 200 || status >= 300) throw new Error(`destination answered ${status}`);
        finish(true);
        logger.info(fields, `alert sent: ${message.summary}`);
      })
      .catch((error: Error) => {
        if (error instanceof BlockedDestinationError) {
          finish(false);
          logger.error({ ...fields, err: 'refused by the egress guard (ALERT_WEBHOOK_ALLOW_HOSTS)' }, `alert NOT delivered: ${message.summary}`);
          return;
        }
        if (attempt >= retryScheduleMs.length || this.closed) {
          finish(false);
          logger.error({ ...fields, err: error.message }, `alert NOT delivered after its retries: ${message.summary}`);
          return;
        }
        logger.warn({ ...fields, err: error.message }, 'alert delivery failed; retrying');
        const giveUp = () => {
          finish(false);
          logger.error({ ...fields, err: `Truc stopped while waiting to retry (${error.message})` }, `alert NOT delivered: ${message.summary}`);
        };
        const timer = setTimeout(() => {
          this.waiting.delete(timer);
          if (this.closed) giveUp();
          else this.attempt(message, url, body, attempt + 1);
        }, withJitter(retryScheduleMs[attempt]!));
        this.waiting.set(timer, giveUp);
      });
    this.inFlight.add(sending);
    void sending.finally(() => this.inFlight.delete(sending));
  }

  /** Waits for the POSTs under way; alerts still waiting for a retry are logged as not delivered. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.inFlight]);
    for (const [timer, giveUp] of this.waiting) {
      clearTimeout(timer);
      giveUp();
    }
    this.waiting.clear();
    this.client.close();
  }
}
