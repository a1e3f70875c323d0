/**
 * Avro encode+decode throughput of the canonical health declaration through the serde, on one core,
 * schema id cached (the registry is asked once). Target: >= 300,000 records/s encode+decode.
 */
import { createAvroSerde, valueSubject } from '../../services/platform/avro-serde.ts';
import { readSchemaFile } from '../../services/platform/schema-files.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';
import { printFigure, withStack } from './support.ts';

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 3000);

function measure(label: string, step: () => void): number {
  // Warm-up lets the JIT compile the codec before the clock starts.
  for (let i = 0; i < 50_000; i++) step();
  let count = 0;
  const start = performance.now();
  let elapsed = 0;
  while (elapsed < DURATION_MS) {
    for (let i = 0; i < 10_000; i++) step();
    count += 10_000;
    elapsed = performance.now() - start;
  }
  const rate = count / (elapsed / 1000);
  printFigure(label, rate, 'records/s', `${count.toLocaleString('en-US')} in ${(elapsed / 1000).toFixed(2)} s`);
  return rate;
}

await withStack(async (config) => {
  const serde = createAvroSerde(config.schemaRegistry);
  const schemaId = await serde.register(valueSubject('bench.health-declaration'), readSchemaFile('schemas/kinds/health-declaration/canonical.avsc'));
  const writer = await serde.writer(schemaId);
  // Eight distinct records so the figures are not those of one value repeated.
  const records = Array.from({ length: 8 }, (_, i) =>
    sampleHealthDeclaration({ source_record_id: `NCOVI-${i}`, occurred_at: Date.UTC(2021, 7, 1 + i) }),
  );
  const encoded = records.map((record) => writer.encode(record));
  console.log(`Avro serde, canonical health declaration (${encoded[0]!.length} bytes on the wire), schema id ${schemaId}`);
  let i = 0;
  measure('encode', () => writer.encode(records[i++ & 7]));
  measure('decode', () => serde.decodeCached(encoded[i++ & 7]!));
  const both = measure('encode + decode', () => serde.decodeCached(writer.encode(records[i++ & 7])));
  console.log(both >= 300_000 ? 'target 300,000 records/s: met' : 'target 300,000 records/s: NOT met');
});
