/**
 * Reads Avro schemas from the repository: canonical ones in `schemas/kinds/<kind>/`, raw ones in
 * each source's folder `connectors/sources/<id>/raw/`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import avro from 'avsc';
import { REPO_ROOT } from './repo-root.ts';

/** An Avro schema as parsed JSON. */
export type AvroSchema = Record<string, unknown>;

export const SCHEMAS_DIR = path.join(REPO_ROOT, 'schemas');

/** Parses and checks a schema file (relative to the repository's root); a broken file names itself in the error. */
export function readSchemaFile(relativePath: string): AvroSchema {
  const file = path.join(REPO_ROOT, relativePath);
  let schema: AvroSchema;
  try {
    schema = JSON.parse(readFileSync(file, 'utf8')) as AvroSchema;
    avro.Type.forSchema(schema as avro.Schema);
  } catch (error) {
    throw new Error(`${relativePath}: ${(error as Error).message}`);
  }
  return schema;
}
