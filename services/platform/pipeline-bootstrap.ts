/**
 * What every service needs in place before it handles a record: the pipeline's topics and the
 * schemas (raw subjects at the registry's default compatibility, canonical ones BACKWARD_TRANSITIVE).
 * Idempotent, so every service and every instance may run it at start. It also builds the raw
 * records' key function and content ids from the person_key secret and the sources' key rule (`partitionKey` of
 * services/normalizer/mapping, passed in by the caller, as platform imports nothing above it): the
 * one place where producers and the normalizer agree on how records are partitioned.
 */
import type { Kafka } from 'kafkajs';
import { createAvroSerde, type AvroSerde } from './avro-serde.ts';
import type { Kind } from './catalog.ts';
import type { Config } from './config.ts';
import { createContentId } from './event-id.ts';
import type { Logger } from './logger.ts';
import { createPersonKey, personKeySecret, type PersonKeyFunction } from './person-key.ts';
import { loadRawCodecs, type CanonicalKeyRule, type RawRecordCodec } from './raw-records.ts';
import { registerCanonicalSchemas } from './schema-registration.ts';
import { ensureTopics, logEnsuredTopics, pipelineTopics } from './topics.ts';

export interface Pipeline {
  serde: AvroSerde;
  /** One codec per raw topic. */
  rawCodecs: Map<string, RawRecordCodec>;
  canonicalSchemaIds: Map<Kind, number>;
  personKey: PersonKeyFunction;
}

export async function preparePipeline(config: Config, kafka: Kafka, logger: Logger, canonicalKey: CanonicalKeyRule): Promise<Pipeline> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    logEnsuredTopics(logger, await ensureTopics(admin, pipelineTopics(config.retention), config.topics));
  } finally {
    await admin.disconnect();
  }
  const serde = createAvroSerde(config.schemaRegistry);
  // Keyed functions follow the process's secret: a sunset's rotation reaches them at once.
  const secret = personKeySecret(config.normalizer);
  const personKey = secret.keyed(createPersonKey);
  const rawCodecs = await loadRawCodecs(serde, secret.keyed(createContentId), (source, kind, value, sourceRecordId) =>
    canonicalKey({ source, kind, value, sourceRecordId }, personKey),
  );
  const canonicalSchemaIds = await registerCanonicalSchemas(serde);
  logger.info({ raw: rawCodecs.size, canonical: canonicalSchemaIds.size }, 'schemas registered');
  return { serde, rawCodecs, canonicalSchemaIds, personKey };
}
