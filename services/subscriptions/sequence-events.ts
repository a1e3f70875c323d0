/**
 * GET /v1/subscriptions/{id}/events?since=N&until=M: the events a subscription was given sequence
 * numbers N..M, again, as its webhook showed them (same filter, entitlement and tier projection,
 * applied as they stand now). The subscription's sequence journal says where each number's event
 * lies (canonical topic, partition, offset, event id); the records are read there. A number whose
 * event cannot be returned is listed in `unavailable` with why: `expired` (no longer in the journal
 * or the canonical topic) or `withheld` (the subscription or the agency's entitlement no longer
 * covers it). One page covers at most FANOUT_EVENTS_PAGE_SIZE numbers; `next` continues.
 */
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Entitlement } from '../platform/access.ts';
import type { AvroSerde } from '../platform/avro-serde.ts';
import type { FanoutConfig } from '../platform/config.ts';
import { positionKey, readOffsets, type WantedOffsets } from '../platform/offset-reader.ts';
import { readTopicToEnd } from '../platform/topic-ends.ts';
import { decodeEntry, journalTopic, type JournalEntry } from './sequence-numbers.ts';
import { webhookEvent, type WebhookEvent } from './webhook-message.ts';
import { projectRecord } from '../platform/field-classes.ts';
import type { Subscription } from './model.ts';
import { compileRowFilter, effectiveTier } from './row-filter.ts';

export interface SequenceRange {
  since: number;
  until: number;
}

export type RangeCheck = { ok: true; range: SequenceRange } | { ok: false; path: 'since' | 'until'; message: string };

/** A positive whole number written in decimal digits only (no sign, exponent or fraction). */
function parseNumber(raw: unknown): number | null {
  if (typeof raw !== 'string' || !/^[0-9]{1,15}$/.test(raw)) return null;
  const value = Number(raw);
  return value >= 1 ? value : null;
}

/** since is required; until defaults to the widest range allowed (numbers not given yet are not listed). */
export function checkRange(query: Record<string, unknown>, maxRange: number): RangeCheck {
  const since = parseNumber(query.since);
  if (since === null) return { ok: false, path: 'since', message: 'is required: the first sequence number wanted, a whole number from 1' };
  if (query.until === undefined) return { ok: true, range: { since, until: since + maxRange - 1 } };
  const until = parseNumber(query.until);
  if (until === null) return { ok: false, path: 'until', message: 'must be a whole number from 1 (the last sequence number wanted)' };
  if (until < since) return { ok: false, path: 'until', message: `must not be below since (${since})` };
  if (until - since + 1 > maxRange) return { ok: false, path: 'until', message: `asks for ${until - since + 1} numbers; at most ${maxRange} are allowed per request (FANOUT_EVENTS_MAX_RANGE): ask in parts` };
  return { ok: true, range: { since, until } };
}

export interface Unavailable {
  seq: number;
  reason: 'expired' | 'withheld';
}

export interface EventsPage {
  subscription: string;
  since: number;
  /** The last number this page covers (since - 1 when it covers none: numbers above the last one given are not covered). */
  until: number;
  /** The subscription's last sequence number as the journal shows it. */
  lastSequence: number;
  events: WebhookEvent[];
  unavailable: Unavailable[];
  /** The `since` of the next page, or null when the range asked for is covered. */
  nextSince: number | null;
}

export interface EventsReadContext {
  kafka: Kafka;
  serde: AvroSerde;
  config: FanoutConfig;
}

async function journalEntries(kafka: Kafka, topic: string): Promise<JournalEntry[]> {
  const admin = kafka.admin();
  await admin.connect();
  // A subscription that never numbered anything has no journal yet.
  const exists = await admin.listTopics().then((topics) => topics.includes(topic)).finally(() => admin.disconnect());
  if (!exists) return [];
  return (await readTopicToEnd(kafka, topic)).map(({ message }) => decodeEntry(message.value));
}

export async function readEventsPage(context: EventsReadContext, subscription: Subscription, entitlement: Entitlement | undefined, range: SequenceRange): Promise<EventsPage> {
  const { kafka, serde, config } = context;
  const entries = await journalEntries(kafka, journalTopic(config.sequenceTopicPrefix, subscription.id));
  const lastSequence = entries.reduce((last, entry) => Math.max(last, entry.first + entry.offsets.length - 1), 0);
  const end = Math.min(range.until, lastSequence);
  const until = Math.min(end, range.since + config.eventsPageSize - 1);
  const page: EventsPage = { subscription: subscription.id, since: range.since, until: Math.max(until, range.since - 1), lastSequence, events: [], unavailable: [], nextSince: until < end ? until + 1 : null };
  if (until < range.since) return page;

  // Where each number of the page points.
  const positions = new Map<number, { entry: JournalEntry; index: number }>();
  const wanted: WantedOffsets = new Map();
  for (const entry of entries) {
    entry.offsets.forEach((offset, index) => {
      const seq = entry.first + index;
      if (seq < range.since || seq > until) return;
      positions.set(seq, { entry, index });
      let partitions = wanted.get(entry.topic);
      if (!partitions) wanted.set(entry.topic, (partitions = new Map()));
      let offsets = partitions.get(entry.partition);
      if (!offsets) partitions.set(entry.partition, (offsets = new Set()));
      offsets.add(offset);
    });
  }
  const messages: Map<string, KafkaMessage> = wanted.size > 0 ? await readOffsets(kafka, wanted) : new Map();
  const filter = entitlement ? compileRowFilter(subscription, entitlement) : null;
  const tier = entitlement ? effectiveTier(subscription, entitlement) : null;
  for (let seq = range.since; seq <= until; seq++) {
    const position = positions.get(seq);
    const message = position ? messages.get(positionKey(position.entry.topic, position.entry.partition, position.entry.offsets[position.index]!)) : undefined;
    if (!position || !message?.value) {
      page.unavailable.push({ seq, reason: 'expired' });
      continue;
    }
    const record: Record<string, unknown> = serde.decodeCached(message.value) ?? (await serde.decode(message.value));
    const { kind } = position.entry;
    // The offset must still hold the event that was numbered (a recreated topic holds others).
    if (String(record.event_id) !== position.entry.ids[position.index]) {
      page.unavailable.push({ seq, reason: 'expired' });
    } else if (!filter || !tier || !filter(kind, record)) {
      page.unavailable.push({ seq, reason: 'withheld' });
    } else {
      page.events.push(webhookEvent(kind, String(record.event_id), seq, message.key?.toString('utf8') ?? null, projectRecord(kind, tier, record)));
    }
  }
  return page;
}
