/**
 * Writes generated source records to their raw topics exactly as the producer connectors would
 * (same conversion, same keys and headers), without going through HTTP.
 */
import type { Kafka, Message } from 'kafkajs';
import type { RawRecordCodec } from '../../services/platform/raw-records.ts';
import { rawTopic } from '../../services/platform/catalog.ts';
import type { GeneratedItem } from '../../services/generator/index.ts';

export async function produceRaw(kafka: Kafka, codecs: Map<string, RawRecordCodec>, items: GeneratedItem[]): Promise<void> {
  const byTopic = new Map<string, Message[]>();
  for (const item of items) {
    const topic = rawTopic(item.source, item.kind);
    const conversion = codecs.get(topic)!.convert(item.record, Date.now(), 'test');
    if (!conversion.ok) throw new Error(`${topic}: a generated record the raw schema refuses: ${JSON.stringify(conversion.problems)}`);
    const messages = byTopic.get(topic);
    if (messages) messages.push(conversion.record.message);
    else byTopic.set(topic, [conversion.record.message]);
  }
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    for (const [topic, messages] of byTopic) {
      for (let i = 0; i < messages.length; i += 2_000) {
        await producer.send({ topic, acks: -1, messages: messages.slice(i, i + 2_000) });
      }
    }
  } finally {
    await producer.disconnect();
  }
}
