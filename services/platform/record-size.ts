/**
 * How many bytes kafkajs messages take once framed the way Kafka checks them. The broker refuses a
 * record batch (all of one produce request's records for one partition) larger than the topic's
 * `max.message.bytes`; kafkajs adds a batch header and, per record, a few varints around key, value
 * and headers, so the framed size is bounded from above here rather than guessed.
 */
import type { Message } from 'kafkajs';

/** Record batch header (61 bytes in format v2) and the log entry's offset and length (12). */
export const BATCH_OVERHEAD_BYTES = 61 + 12;

/** Per record: length, attributes, timestamp and offset deltas, key and value lengths, header count. */
const RECORD_OVERHEAD_BYTES = 5 + 1 + 10 + 5 + 5 + 5 + 5;
/** Per header: the lengths of its name and value. */
const HEADER_OVERHEAD_BYTES = 10;

function byteLength(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.reduce((sum: number, item) => sum + byteLength(item), 0);
  return Buffer.byteLength(value as string | Buffer);
}

/** Key, value, header names and values: the payload without framing. */
export function messageBytes(message: Message): number {
  const headers = Object.entries(message.headers ?? {}).reduce((sum, [name, value]) => sum + name.length + byteLength(value), 0);
  return byteLength(message.key) + byteLength(message.value) + headers;
}

/** An upper bound of the bytes the message adds to a record batch, framing included. */
export function framedMessageBytes(message: Message): number {
  const headers = Object.values(message.headers ?? {}).reduce(
    (sum: number, value) => sum + (Array.isArray(value) ? value.length : 1) * HEADER_OVERHEAD_BYTES,
    0,
  );
  return messageBytes(message) + RECORD_OVERHEAD_BYTES + headers;
}
