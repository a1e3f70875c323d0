/**
 * A webhook receiver that follows the README's recipe: it verifies each signature, drops repeats by
 * event id, keeps events by sequence number, learns the last number from heartbeats too, and
 * refills the holes through GET /v1/subscriptions/{id}/events. For tests it can be told to lose
 * batches: it answers 200 to them but keeps nothing (a receiver's own bug, which Truc cannot see).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature } from '../../services/platform/webhook-signing.ts';
import type { WebhookEvent } from '../../services/subscriptions/webhook-message.ts';

export interface GapReceiver {
  url: string;
  /** Kept events by sequence number. */
  events: Map<number, WebhookEvent>;
  /** Event ids kept (a repeat is dropped by id). */
  ids: Set<string>;
  /** Heartbeats received (their `seq`). */
  heartbeats: number[];
  /** Batches answered 200 but thrown away. */
  lost: number;
  /** The highest number known, from events or heartbeats. */
  highest(): number;
  /** The numbers from 1 to highest() not kept. */
  holes(): number[];
  /** Asks the events endpoint for each run of missing numbers (following `next`) and keeps what comes. */
  refill(apiUrl: string, subscriptionId: string, key: string): Promise<{ requests: number; unavailable: number[] }>;
  close(): Promise<void>;
}

/** `lose(n)`: whether the n-th batch (0-based, in arrival order) is thrown away. */
export async function startGapReceiver(secret: string, lose: (batch: number) => boolean): Promise<GapReceiver> {
  const events = new Map<number, WebhookEvent>();
  const ids = new Set<string>();
  const heartbeats: number[] = [];
  let batches = 0;
  let lost = 0;
  let announced = 0;
  const keep = (event: WebhookEvent) => {
    if (ids.has(event.id)) return;
    ids.add(event.id);
    events.set(event.seq, event);
  };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => String(request.headers[name] ?? '');
      if (!verifySignature(secret, header('webhook-id'), header('webhook-timestamp'), body, header('webhook-signature'))) {
        response.writeHead(401).end();
        return;
      }
      const message = JSON.parse(body) as { type: string; seq?: number; events?: WebhookEvent[] };
      if (message.type === 'truc.heartbeat') {
        heartbeats.push(Number(message.seq));
        announced = Math.max(announced, Number(message.seq));
      } else if (lose(batches++)) {
        lost++;
      } else {
        for (const event of message.events ?? []) keep(event);
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const highest = () => Math.max(announced, ...events.keys(), 0);
  const holes = () => Array.from({ length: highest() }, (_, i) => i + 1).filter((seq) => !events.has(seq));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    events,
    ids,
    heartbeats,
    get lost() {
      return lost;
    },
    highest,
    holes,
    async refill(apiUrl, subscriptionId, key) {
      let requests = 0;
      const unavailable: number[] = [];
      // One request per run of consecutive missing numbers.
      const runs: [number, number][] = [];
      for (const seq of holes()) {
        const last = runs[runs.length - 1];
        if (last && last[1] === seq - 1) last[1] = seq;
        else runs.push([seq, seq]);
      }
      for (const [since, until] of runs) {
        let next: string | null = `/v1/subscriptions/${subscriptionId}/events?since=${since}&until=${until}`;
        while (next) {
          requests++;
          const answer = await fetch(`${apiUrl}${next}`, { headers: { authorization: `Bearer ${key}` } });
          if (answer.status !== 200) throw new Error(`events endpoint answered ${answer.status}`);
          const page = (await answer.json()) as { events: WebhookEvent[]; unavailable: { seq: number }[]; next: string | null };
          for (const event of page.events) keep(event);
          unavailable.push(...page.unavailable.map((u) => u.seq));
          next = page.next;
        }
      }
      return { requests, unavailable };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
