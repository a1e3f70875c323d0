/**
 * What one drop folder's files hold: the (source, kind) of its `*.csv` files and of its `*.ndjson`
 * and `*.json` files, each written to that pair's raw topic. JSON can hold any raw record; CSV only
 * records of a pair with a header mapping (`connectors/sources/<source>/raw/<kind>.csv-headers.json`, which
 * maps the source's column names to Avro fields, e.g. checkpoint-ops' Vietnamese headers).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { rawSchema, rawTopic, sourceFolder, type Kind } from '../../services/platform/catalog.ts';
import { REPO_ROOT } from '../../services/platform/config.ts';
import type { CsvSchema, FileFormat } from './file-records.ts';

export interface FileReads {
  csv: { topic: string; schema: CsvSchema } | null;
  /** NDJSON and JSON files. */
  json: { topic: string } | null;
}

function csvHeaderFile(source: string, kind: Kind): string {
  return path.join(REPO_ROOT, sourceFolder(source), 'raw', `${kind}.csv-headers.json`);
}

/** Whether records of (source, kind) can be read from CSV: the pair has a header mapping. */
export function csvReadable(source: string, kind: Kind): boolean {
  return existsSync(csvHeaderFile(source, kind));
}

export function csvSchema(source: string, kind: Kind): CsvSchema {
  return {
    headerFields: JSON.parse(readFileSync(csvHeaderFile(source, kind), 'utf8')) as Record<string, string>,
    type: avro.Type.forSchema(rawSchema(source, kind) as avro.Schema) as avro.types.RecordType,
  };
}

export function fileReads(source: string, csvKind: Kind | null, jsonKind: Kind | null): FileReads {
  return {
    csv: csvKind === null ? null : { topic: rawTopic(source, csvKind), schema: csvSchema(source, csvKind) },
    json: jsonKind === null ? null : { topic: rawTopic(source, jsonKind) },
  };
}

/** The raw topic of a file of `format`, or null when the folder does not read that format. */
export function topicOf(reads: FileReads, format: FileFormat): string | null {
  return (format === 'csv' ? reads.csv?.topic : reads.json?.topic) ?? null;
}
