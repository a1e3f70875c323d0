import { beforeAll, describe, expect, it } from 'vitest';
import { KINDS, canonicalSchema, canonicalTopic, rawTopic, sourceKinds } from '../../services/platform/catalog.ts';
import { valueSubject } from '../../services/platform/avro-serde.ts';
import { createKafka } from '../../services/platform/kafka.ts';
import { createLogger } from '../../services/platform/logger.ts';
import { preparePipeline, type Pipeline } from '../../services/platform/pipeline-bootstrap.ts';
import { partitionKey } from '../../services/normalizer/mapping/index.ts';
import { registryHeaders } from '../../services/platform/registry-credentials.ts';
import { CANONICAL_COMPATIBILITY } from '../../services/platform/schema-registration.ts';
import { testConfig } from '../support/kafka.ts';

describe('schemas registered at start-up', () => {
  const config = testConfig();
  let pipeline: Pipeline;

  beforeAll(async () => {
    pipeline = await preparePipeline(config, createKafka(config.kafka, createLogger('test', 'silent')), createLogger('test', 'silent'), partitionKey);
  });

  it('registers every raw and canonical schema, idempotently', async () => {
    const again = await preparePipeline(config, createKafka(config.kafka, createLogger('test', 'silent')), createLogger('test', 'silent'), partitionKey);
    expect([...again.canonicalSchemaIds]).toEqual([...pipeline.canonicalSchemaIds]);
    const subjects = (await (await fetch(`${config.schemaRegistry.url}/subjects`, { headers: registryHeaders(config.schemaRegistry) })).json()) as string[];
    for (const { source, kind } of sourceKinds()) expect(subjects).toContain(valueSubject(rawTopic(source, kind)));
    for (const kind of KINDS) expect(subjects).toContain(valueSubject(canonicalTopic(kind)));
  });

  it.each(KINDS)('sets canonical.%s-value to BACKWARD_TRANSITIVE', async (kind) => {
    const response = await fetch(`${config.schemaRegistry.url}/config/${valueSubject(canonicalTopic(kind))}`, { headers: registryHeaders(config.schemaRegistry) });
    expect(await response.json()).toEqual({ compatibilityLevel: CANONICAL_COMPATIBILITY });
  });

  it('refuses a breaking change to a canonical schema', async () => {
    const schema = canonicalSchema('health-declaration');
    const fields = schema.fields as Record<string, unknown>[];
    const breaking = { ...schema, fields: [...fields, { name: 'risk_score', type: 'int', doc: 'A new field without a default.' }] };
    await expect(
      pipeline.serde.register(valueSubject(canonicalTopic('health-declaration')), breaking, CANONICAL_COMPATIBILITY),
    ).rejects.toThrow(/incompatible|409/i);
    const retyped = { ...schema, fields: fields.map((f) => (f.name === 'province_code' ? { ...f, type: ['null', 'int'] } : f)) };
    await expect(
      pipeline.serde.register(valueSubject(canonicalTopic('health-declaration')), retyped, CANONICAL_COMPATIBILITY),
    ).rejects.toThrow(/incompatible|409/i);
  });
});
