/**
 * What the checkpoint-ops source drops as files: the checkpoint registry as CSV with Vietnamese
 * headers (mapped to Avro fields by `schemas/raw/checkpoint-ops/checkpoint.csv-headers.json`), and
 * gate-reader batches of checkpoint passages as JSON arrays or NDJSON.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { rawSchema, rawTopic } from '../../services/platform/catalog.ts';
import { SCHEMAS_DIR } from '../../services/platform/schema-files.ts';
import type { CsvSchema, FileFormat } from './file-records.ts';

const CHECKPOINT_OPS = 'checkpoint-ops';

export function topicForFormat(format: FileFormat): string {
  return format === 'csv' ? rawTopic(CHECKPOINT_OPS, 'checkpoint') : rawTopic(CHECKPOINT_OPS, 'checkpoint-passage');
}

export function checkpointCsvSchema(): CsvSchema {
  const headerFile = path.join(SCHEMAS_DIR, 'raw', CHECKPOINT_OPS, 'checkpoint.csv-headers.json');
  return {
    headerFields: JSON.parse(readFileSync(headerFile, 'utf8')) as Record<string, string>,
    type: avro.Type.forSchema(rawSchema(CHECKPOINT_OPS, 'checkpoint') as avro.Schema) as avro.types.RecordType,
  };
}
