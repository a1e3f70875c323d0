/**
 * A webhook receiver for the demo agency of `npm start` and for tests: it checks every request's
 * Standard Webhooks signature (and the timestamp's freshness), answers 401 to a bad one, drops
 * repeats by webhook-id, and counts what it received (heartbeats apart). Can be told to fail (tests of retries).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookEvent } from '../subscriptions/webhook-message.ts';
import { verifiedHeaders } from '../platform/webhook-signing.ts';

export interface ReceivedBatch {
  webhookId: string;
  timestamp: number;
  events: WebhookEvent[];
  receivedAt: number;
}

export interface ReceivedHeartbeat {
  seq: number;
  receivedAt: number;
}

export type ReceiverMode = 'ok' | 'error' | 'slow';

/** A request as it came (headers and body), whatever the answer — for checks made outside this module. */
export interface RawRequest {
  headers: Record<string, string>;
  body: string;
  answered: number;
}

export interface DemoReceiver {
  url: string;
  port: number;
  /** Every accepted (signature-checked) request, repeats included, in arrival order. */
  batches: ReceivedBatch[];
  /** Every accepted heartbeat (`truc.heartbeat`), in arrival order. */
  heartbeats: ReceivedHeartbeat[];
  /** Every request with a valid signature, failed ones included. */
  requests: RawRequest[];
  counts(): { requests: number; batches: number; events: number; uniqueEvents: number; badSignatures: number; repeats: number };
  /** ok: answer 204; error: answer 500; slow: answer after `slowMs` (beyond the sender's timeout). */
  setMode(mode: ReceiverMode, slowMs?: number): void;
  /** Answers 2xx only after this many ms (a receiver that takes its time, within the sender's timeout). */
  setDelay(ms: number): void;
  close(): Promise<void>;
}

export interface DemoReceiverOptions {
  /** Keep every request's headers and body (tests); off for long runs (npm start, benchmarks). */
  keepRequests?: boolean;
  /** Keep every accepted batch with its events; off: only the counts. */
  keepBatches?: boolean;
  toleranceSeconds?: number;
  /** The loopback address to listen on (tests of the webhook guard use others than 127.0.0.1). */
  host?: string;
}

/** Starts on 127.0.0.1 unless told another host (port 0: a free one). */
export async function startDemoReceiver(secret: string, port = 0, options: DemoReceiverOptions = {}): Promise<DemoReceiver> {
  const { keepRequests = true, keepBatches = true, toleranceSeconds = 300, host = '127.0.0.1' } = options;
  let acceptedEvents = 0;
  let accepted = 0;
  let uniqueBefore = 0;
  const batches: ReceivedBatch[] = [];
  const heartbeats: ReceivedHeartbeat[] = [];
  const raw: RawRequest[] = [];
  const seenIds = new Set<string>();
  const seenEvents = new Set<string>();
  let requests = 0;
  let badSignatures = 0;
  let repeats = 0;
  let mode: ReceiverMode = 'ok';
  let slowMs = 0;
  let delayMs = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests++;
      const body = Buffer.concat(chunks).toString('utf8');
      const signed = verifiedHeaders(secret, request.headers, body, toleranceSeconds);
      if (!signed) {
        badSignatures++;
        response.writeHead(401).end();
        return;
      }
      const { id, timestamp, signature } = signed;
      const logged: RawRequest = { headers: { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature }, body, answered: 0 };
      if (keepRequests) raw.push(logged);
      if (mode === 'error') {
        logged.answered = 500;
        response.writeHead(500).end();
        return;
      }
      const message = JSON.parse(body) as { type: string; seq?: number; events?: WebhookEvent[] };
      if (message.type === 'truc.heartbeat') {
        // Kept whatever keepBatches says (one per heartbeat interval), the last thousand only.
        heartbeats.push({ seq: Number(message.seq), receivedAt: Date.now() });
        if (heartbeats.length > 1_000) heartbeats.shift();
        logged.answered = 204;
        response.writeHead(204).end();
        return;
      }
      const accept = () => {
        accepted++;
        if (seenIds.has(id)) repeats++;
        seenIds.add(id);
        const events = message.events ?? [];
        // A demo left running for days must not grow without bound: past a million ids the set starts
        // over (repeats across that reset count as new).
        if (seenEvents.size > 1_000_000) {
          uniqueBefore += seenEvents.size;
          seenEvents.clear();
          seenIds.clear();
        }
        for (const event of events) seenEvents.add(event.id);
        acceptedEvents += events.length;
        if (keepBatches) batches.push({ webhookId: id, timestamp: Number(timestamp), events, receivedAt: Date.now() });
        logged.answered = 204;
        response.writeHead(204).end();
      };
      if (mode === 'slow') {
        logged.answered = 503;
        setTimeout(() => (response.destroyed ? undefined : response.writeHead(503).end()), slowMs);
      }
      else if (delayMs > 0) setTimeout(accept, delayMs);
      else accept();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, host, resolve));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${actualPort}/webhook`,
    port: actualPort,
    batches,
    heartbeats,
    requests: raw,
    counts: () => ({
      requests,
      batches: accepted,
      events: acceptedEvents,
      uniqueEvents: uniqueBefore + seenEvents.size,
      badSignatures,
      repeats,
    }),
    setMode(next, ms = 0) {
      mode = next;
      slowMs = ms;
    },
    setDelay(ms) {
      delayMs = ms;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
