/**
 * A steady stream of pccovid records through HTTP ingest for the cluster tests: posters send a
 * batch every interval, kinds in turn, to the API instances in turn. A request that gets no answer
 * (the instance died) goes to the next instance from then on, as a load balancer would; its records
 * count as not acknowledged. Keeps the acknowledged event ids, those of records not acknowledged,
 * and every status answered.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EXAMPLES } from '../../connectors/sources/pccovid/examples.ts';
import type { Kind } from '../../services/platform/catalog.ts';
import { eventId } from '../../services/platform/event-id.ts';

export interface SteadyIngestOptions {
  /** Base URLs of the API instances. */
  urls: string[];
  key: string;
  kinds: Kind[];
  posters: number;
  batch: number;
  intervalMs: number;
}

export interface SteadyIngest {
  /** Acknowledged event ids, per kind. */
  accepted: Map<Kind, Set<string>>;
  /** Event ids of records sent but not acknowledged (503, or no answer). */
  unacknowledged: Set<string>;
  /** Acknowledged records whose event id is not the one derived here (it would make the 503 check blind). */
  readonly derivedWrong: number;
  /** How often each status was answered; 0 counts requests without an answer. */
  statuses: Map<number, number>;
  /** Requests sent to each API instance. */
  requests: Map<string, number>;
  stop(): Promise<void>;
}

export function steadyIngest(options: SteadyIngestOptions): SteadyIngest {
  const { key, kinds, batch, intervalMs } = options;
  const live = [...options.urls];
  // One person per record: the same person's same answers twice would be one declaration to the normalizer.
  let person = randomInt(10 ** 7);
  let turn = 0;
  const accepted = new Map<Kind, Set<string>>(kinds.map((kind) => [kind, new Set()]));
  const unacknowledged = new Set<string>();
  let derivedWrong = 0;
  const statuses = new Map<number, number>();
  const requests = new Map<string, number>();
  let running = true;
  const count = (status: number) => statuses.set(status, (statuses.get(status) ?? 0) + 1);
  const loop = async () => {
    while (running) {
      const started = Date.now();
      turn += 1;
      const kind = kinds[turn % kinds.length]!;
      const url = live[turn % live.length]!;
      const prefix = kind === 'movement-declaration' ? 'KBDC' : 'KBYT';
      const records = Array.from({ length: batch }, () => ({
        ...EXAMPLES[`pccovid/${kind}`],
        id: `${prefix}-${randomUUID()}`,
        identityNumber: `0790${String(person++).padStart(8, '0')}`,
      }));
      // pccovid records carry their own id: the event id is derived from it, as ingest answers it.
      const ids = records.map((record) => eventId('pccovid', kind, record.id));
      requests.set(url, (requests.get(url) ?? 0) + 1);
      try {
        const response = await fetch(`${url}/v1/ingest/pccovid/${kind}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify(records),
        });
        count(response.status);
        const body = (await response.json()) as { accepted?: { index: number; event_id: string }[] };
        if (response.status === 202) {
          for (const entry of body.accepted ?? []) {
            accepted.get(kind)!.add(entry.event_id);
            if (entry.event_id !== ids[entry.index]) derivedWrong += 1;
          }
        } else for (const id of ids) unacknowledged.add(id);
      } catch {
        count(0);
        for (const id of ids) unacknowledged.add(id);
        // No answer at all: that instance is gone; the others take its share.
        if (live.length > 1 && live.includes(url)) live.splice(live.indexOf(url), 1);
      }
      await sleep(Math.max(0, intervalMs - (Date.now() - started)));
    }
  };
  const posters = Array.from({ length: options.posters }, () => loop());
  return {
    accepted,
    unacknowledged,
    get derivedWrong() {
      return derivedWrong;
    },
    statuses,
    requests,
    async stop() {
      running = false;
      await Promise.all(posters);
    },
  };
}
