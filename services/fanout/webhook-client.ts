/**
 * One signed POST to a webhook, with a deadline and the SSRF guard on every connection. Resolves
 * with the status code; throws when no answer came (refused, reset, timed out, blocked address).
 */
import http from 'node:http';
import https from 'node:https';
import { BlockedDestinationError, guardAgent } from '../platform/webhook-target.ts';
import { webhookSignature } from '../platform/webhook-signing.ts';

export interface WebhookClientOptions {
  timeoutMs: number;
  allowHosts: readonly string[];
  /** Who is calling, as the receiver sees it (alerts send as truc-alerts). */
  userAgent?: string;
}

/**
 * The error a delivery reports (in the subscription's status, which the agency reads): a network
 * error's code only, since Node's messages carry the address connected to (a DNS answer).
 */
function deliveryError(error: Error): Error {
  if (error instanceof BlockedDestinationError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  return new Error(code ? `could not reach the receiver (${code})` : error.message);
}

export class WebhookClient {
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private readonly options: WebhookClientOptions;

  constructor(options: WebhookClientOptions) {
    this.options = options;
    // Kept-alive connections: a busy subscription POSTs many batches to one receiver.
    this.httpAgent = new http.Agent({ keepAlive: true, maxSockets: 16 });
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 16 });
    guardAgent(this.httpAgent, options.allowHosts);
    guardAgent(this.httpsAgent, options.allowHosts);
  }

  post(url: string, secret: string, webhookId: string, body: string): Promise<number> {
    const timestamp = Math.floor(Date.now() / 1000);
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const request = (secure ? https : http).request(
        target,
        {
          method: 'POST',
          agent: secure ? this.httpsAgent : this.httpAgent,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'user-agent': this.options.userAgent ?? 'truc-fanout',
            'webhook-id': webhookId,
            'webhook-timestamp': String(timestamp),
            'webhook-signature': webhookSignature(secret, webhookId, timestamp, body),
          },
        },
        (response) => {
          // The answer's body is not needed, but must be read for the connection to be reused.
          response.resume();
          response.on('end', () => {
            clearTimeout(timer);
            resolve(response.statusCode ?? 0);
          });
          response.on('error', (error) => {
            clearTimeout(timer);
            reject(error);
          });
        },
      );
      const timer = setTimeout(() => request.destroy(new Error(`no answer within ${this.options.timeoutMs} ms`)), this.options.timeoutMs);
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(deliveryError(error));
      });
      request.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }
}
