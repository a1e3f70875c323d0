/**
 * A local alert destination for `npm start`'s demo and for tests: it checks each request's
 * signature and timestamp as an agency's receiver would (401 otherwise), drops repeats by
 * webhook-id (retries), and keeps the latest alerts for the live status.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifiedHeaders } from '../platform/webhook-signing.ts';
import type { AlertMessage } from './alert-message.ts';

/** Alerts are a few hundred bytes; anything much larger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
const TOLERANCE_SECONDS = 300;

export interface AlertReceiver {
  url: string;
  /** Accepted alerts, repeats left out, oldest first (the latest `keep`). */
  alerts: AlertMessage[];
  counts(): { accepted: number; refused: number; repeats: number };
  /** Answers 500 to valid alerts while set (tests of retries). */
  setFailing(failing: boolean): void;
  close(): Promise<void>;
}

export interface AlertReceiverOptions {
  port?: number;
  keep?: number;
}

export async function startAlertReceiver(secret: string, options: AlertReceiverOptions = {}): Promise<AlertReceiver> {
  const { port = 0, keep = 1_000 } = options;
  const alerts: AlertMessage[] = [];
  const seen = new Set<string>();
  let accepted = 0;
  let refused = 0;
  let repeats = 0;
  let failing = false;
  const server = http.createServer((request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        refused++;
        response.writeHead(413, { connection: 'close' }).end();
        request.destroy();
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = verifiedHeaders(secret, request.headers, body, TOLERANCE_SECONDS);
      if (!signed) {
        refused++;
        response.writeHead(401).end();
        return;
      }
      const { id } = signed;
      let alert: AlertMessage;
      try {
        alert = JSON.parse(body) as AlertMessage;
        if (alert.type !== 'truc.alert' || alert.id !== id) throw new Error('not an alert');
      } catch {
        refused++;
        response.writeHead(400).end();
        return;
      }
      if (failing) {
        response.writeHead(500).end();
        return;
      }
      if (seen.has(id)) repeats++;
      else {
        seen.add(id);
        accepted++;
        alerts.push(alert);
        if (alerts.length > keep) alerts.shift();
        // Bounded like `alerts`: ids older than what is kept can no longer be retried anyway.
        if (seen.size > keep * 2) seen.delete(seen.values().next().value!);
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actualPort}/alerts`,
    alerts,
    counts: () => ({ accepted, refused, repeats }),
    setFailing(next) {
      failing = next;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
