import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Admin, Producer } from 'kafkajs';
import { createAvroSerde, readSchemaId, valueSubject } from '../../services/platform/avro-serde.ts';
import { readSchemaFile } from '../../services/platform/schema-files.ts';
import { ensureTopics } from '../../services/platform/topics.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';
import { readMessages, testConfig, testKafka, uniqueName } from '../support/kafka.ts';

describe('Avro round trip through the registry and the broker', () => {
  const config = testConfig();
  const kafka = testKafka(config);
  const serde = createAvroSerde(config.schemaRegistry);
  const topic = uniqueName('test.avro-roundtrip');
  let admin: Admin;
  let producer: Producer;

  beforeAll(async () => {
    admin = kafka.admin();
    producer = kafka.producer({ idempotent: true });
    await Promise.all([admin.connect(), producer.connect()]);
    await ensureTopics(admin, [{ name: topic, partitions: 1 }], config.topics);
  });

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    await Promise.all([admin.disconnect(), producer.disconnect()]);
  });

  it('produces a health declaration in the Confluent wire format and decodes it field for field', async () => {
    const schemaId = await serde.register(valueSubject(topic), readSchemaFile('schemas/kinds/health-declaration/canonical.avsc'));
    const record = sampleHealthDeclaration();
    const value = await serde.encode(schemaId, record);
    await producer.send({ topic, acks: -1, messages: [{ key: String(record.person_key), value }] });

    const [message] = await readMessages(kafka, topic, 1);
    const bytes = message!.value!;
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(schemaId);
    expect(readSchemaId(bytes)).toBe(schemaId);
    expect(message!.key!.toString('utf8')).toBe(record.person_key);
    expect(await serde.decode(bytes)).toEqual(record);
  });

  it('registers the same schema again under the same id', async () => {
    const schema = readSchemaFile('schemas/kinds/health-declaration/canonical.avsc');
    const first = await serde.register(valueSubject(topic), schema);
    expect(await serde.register(valueSubject(topic), schema)).toBe(first);
  });

  it('refuses to decode bytes that are not in the wire format', async () => {
    await expect(serde.decode(Buffer.from([1, 0, 0, 0, 1, 2]))).rejects.toThrow(/magic byte/);
    await expect(serde.decode(Buffer.from([0, 0]))).rejects.toThrow(/shorter than the 5-byte/);
  });
});
