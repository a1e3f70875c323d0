/**
 * What each consumed canonical record becomes for the ClickHouse sink: a row of its kind's table,
 * the reason it is a dead letter, or nothing (a tombstone). A record written with a schema that
 * has new nullable fields first gets the columns for them (schema-evolution.ts).
 */
import type { KafkaMessage } from 'kafkajs';
import { readSchemaId, WireFormatError, type AvroSerde } from '../../services/platform/avro-serde.ts';
import type { Kind } from '../../services/platform/catalog.ts';
import type { ClickHouseHandle } from '../../services/platform/clickhouse.ts';
import type { Logger } from '../../services/platform/logger.ts';
import { registryHeaders, type RegistryClientConfig } from '../../services/platform/registry-credentials.ts';
import { PROJECTIONS, ProjectionError, type Row } from './projection.ts';
import { addColumns, schemaExtras, type SchemaExtras } from './schema-evolution.ts';

export type Outcome = { row: Row } | { errorClass: string; reason: string; source: string | null };

/** A consumed record with what it becomes: a row, a dead letter, or nothing (null: a tombstone). */
export interface Entry {
  offset: number;
  message: KafkaMessage;
  outcome: Outcome | null;
}

export const isRow = (outcome: Outcome | null): outcome is { row: Row } => outcome !== null && 'row' in outcome;

export interface RecordPreparerOptions {
  serde: AvroSerde;
  registry: RegistryClientConfig;
  clickhouse: ClickHouseHandle;
  logger: Logger;
}

/**
 * Prepares the messages of one kind's topic. Done as records arrive, so it overlaps with the
 * insert of the previous batch (the engine works off the JS thread). Throws only for passing
 * failures (the registry unreachable), which the caller retries.
 */
export type RecordPreparer = (kind: Kind, messages: readonly KafkaMessage[]) => Promise<Entry[]>;

export function createRecordPreparer({ serde, registry, clickhouse, logger }: RecordPreparerOptions): RecordPreparer {
  const headers = registryHeaders(registry);
  const extrasBySchema = new Map<number, SchemaExtras>();

  async function extrasFor(kind: Kind, schemaId: number): Promise<SchemaExtras> {
    const cached = extrasBySchema.get(schemaId);
    if (cached) return cached;
    const projection = PROJECTIONS[kind];
    const extras = schemaExtras(await schemaText(schemaId), projection);
    if (extras.columns.length > 0) await addColumns(clickhouse, projection.table, extras.columns, logger);
    for (const skipped of extras.skipped) logger.warn({ kind, schemaId, field: skipped.name, reason: skipped.reason }, 'new canonical field left out of ClickHouse');
    extrasBySchema.set(schemaId, extras);
    return extras;
  }

  /**
   * The schema as registered (JSON): the parsed avsc type the serde holds drops logical types and
   * docs, which the column type and comment come from.
   */
  async function schemaText(schemaId: number): Promise<{ fields?: [] }> {
    const response = await fetch(`${registry.url}/schemas/ids/${schemaId}`, { headers, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw Object.assign(new Error(`schema registry answered ${response.status} for schema id ${schemaId}`), { status: response.status });
    const { schema } = (await response.json()) as { schema: string };
    return JSON.parse(schema) as { fields?: [] };
  }

  function prepareKnown(kind: Kind, message: KafkaMessage, schemaId: number, extras: SchemaExtras): Outcome {
    let record: Record<string, unknown>;
    try {
      // The codec is cached by now, so decoding fails only on the bytes.
      const decoded = serde.decodeCached<Record<string, unknown>>(message.value!);
      if (decoded === undefined) throw new WireFormatError(`no codec for schema id ${schemaId}`);
      record = decoded;
    } catch (error) {
      const detail = error instanceof WireFormatError ? error.message : 'the body does not match the schema';
      return { errorClass: 'UndecodableRecord', reason: `Avro body does not decode with schema id ${schemaId}: ${detail}`, source: null };
    }
    const source = typeof record.source === 'string' ? record.source : null;
    try {
      const row = PROJECTIONS[kind].project(record);
      for (const column of extras.columns) row[column.name] = record[column.name] ?? null;
      return { row };
    } catch (error) {
      if (error instanceof ProjectionError) return { errorClass: 'UnprojectableRecord', reason: error.message, source };
      throw error;
    }
  }

  return async (kind, messages) => {
    const entries: Entry[] = [];
    for (const message of messages) {
      const offset = Number(message.offset);
      // A tombstone of the compacted checkpoint topic: nothing to add.
      if (message.value === null) {
        entries.push({ offset, message, outcome: null });
        continue;
      }
      let schemaId: number;
      try {
        schemaId = readSchemaId(message.value);
      } catch (error) {
        entries.push({ offset, message, outcome: { errorClass: 'UndecodableRecord', reason: (error as Error).message, source: null } });
        continue;
      }
      let extras = extrasBySchema.get(schemaId);
      if (extras === undefined) {
        try {
          // The codec first: once the extras are cached this branch is skipped, so a registry
          // failure in between must not leave the schema without its codec.
          await serde.writer(schemaId); // fetches and caches the schema's codec, for decodeCached
          extras = await extrasFor(kind, schemaId);
        } catch (error) {
          if ((error as { status?: number }).status !== 404) throw error;
          entries.push({ offset, message, outcome: { errorClass: 'UnknownSchema', reason: `schema id ${schemaId} is not in the registry`, source: null } });
          continue;
        }
      }
      entries.push({ offset, message, outcome: prepareKnown(kind, message, schemaId, extras) });
    }
    return entries;
  };
}
