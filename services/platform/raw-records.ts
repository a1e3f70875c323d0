/**
 * The raw-record contract: turns a source's JSON record into a raw-topic message, validated against
 * the raw Avro schema of its (source, kind), keyed by the key its canonical record will have,
 * encoded in the Confluent wire format, with the event id and reception time in headers. Every
 * producer connector (HTTP, files, polling) goes through here, so a record is accepted or refused by
 * the same rules whichever way it arrived; the normalizer and the generator read the same contract.
 * It lives in platform, below every stage: the key rule, which only the sources' mappings know, is
 * passed in (see pipeline-bootstrap.ts).
 */
import type avro from 'avsc';
import type { Message } from 'kafkajs';
import { AvroValidationError, valueSubject, validationProblems, type AvroSerde, type AvroWriter } from './avro-serde.ts';
import { rawSchema, rawTopic, sourceEntry, sourceKinds, type Kind } from './catalog.ts';
import { eventId, type ContentIdFunction } from './event-id.ts';
import type { PersonKeyFunction } from './person-key.ts';
import { HEADER } from './record-headers.ts';

export interface Problem {
  /** Dotted field path inside the record, e.g. `vehicle.flightCode`; `(record)` for the whole. */
  path: string;
  message: string;
}

export interface ConvertedRecord {
  eventId: string;
  sourceRecordId: string;
  message: Message;
}

export type Conversion = { ok: true; record: ConvertedRecord } | { ok: false; problems: Problem[] };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !Buffer.isBuffer(value);
}

/**
 * Fields the schema does not know. avsc ignores them silently, which would drop data a source
 * believes it sent (a misspelt field name, say), so they are refused instead.
 */
export function unknownFields(type: avro.Type, value: unknown, path: string[] = []): Problem[] {
  const typeName = type.typeName;
  if (typeName === 'record' || typeName === 'error') {
    if (!isPlainObject(value)) return [];
    const record = type as avro.types.RecordType;
    const known = new Map(record.fields.map((field) => [field.name, field.type] as const));
    return Object.entries(value).flatMap(([name, fieldValue]) => {
      const fieldType = known.get(name);
      if (!fieldType) return [{ path: [...path, name].join('.'), message: 'unknown field (not in the schema)' }];
      return unknownFields(fieldType, fieldValue, [...path, name]);
    });
  }
  if (typeName === 'array' && Array.isArray(value)) {
    const items = (type as avro.types.ArrayType).itemsType;
    return value.flatMap((item, i) => unknownFields(items, item, [...path, String(i)]));
  }
  if (typeName === 'map' && isPlainObject(value)) {
    const values = (type as avro.types.MapType).valuesType;
    return Object.entries(value).flatMap(([key, item]) => unknownFields(values, item, [...path, key]));
  }
  if (typeName.startsWith('union') && value !== null && value !== undefined) {
    // Raw schemas use unions of null and one other type; check against the branch that fits.
    const branch = (type as avro.types.UnwrappedUnionType).types.find((t) => t.typeName !== 'null' && t.isValid(value));
    return branch ? unknownFields(branch, value, path) : [];
  }
  return [];
}

/**
 * The Kafka key of a raw record: the key its canonical record will have (a person's key, a report
 * id, a checkpoint id), so raw and canonical topics are co-partitioned and one person's records
 * from every source meet on one partition (where the normalizer detects duplicates).
 */
export type RawKeyFunction = (source: string, kind: Kind, value: Record<string, unknown>, sourceRecordId: string) => string;

/** A raw record as a producer holds it, before it has an event id or a reception time: what its key is read from. */
export interface RawKeyInput {
  source: string;
  kind: Kind;
  value: Record<string, unknown>;
  sourceRecordId: string;
}

/**
 * How the sources' mappings key a raw record (the normalizer's `partitionKey`), given the
 * deployment's person_key function. Platform knows no source, so the stage that starts a pipeline
 * passes it in.
 */
export type CanonicalKeyRule = (input: RawKeyInput, personKey: PersonKeyFunction) => string;

/** Everything needed to accept records of one (source, kind). */
export class RawRecordCodec {
  readonly source: string;
  readonly kind: Kind;
  readonly topic: string;
  private readonly writer: AvroWriter;
  private readonly keyOf: RawKeyFunction;
  private readonly recordIdPath: string[] | null;
  private readonly contentId: ContentIdFunction;

  /**
   * `contentId` makes the record ids of sources that send none; it must be the deployment's (keyed
   * with its secret) wherever ids are compared with the pipeline's. `keyOf` is left out only by
   * tools that validate records or compute their ids, never by producers.
   */
  constructor(
    source: string,
    kind: Kind,
    writer: AvroWriter,
    contentId: ContentIdFunction,
    keyOf: RawKeyFunction = (_s, _k, _v, sourceRecordId) => sourceRecordId,
  ) {
    this.source = source;
    this.kind = kind;
    this.topic = rawTopic(source, kind);
    this.writer = writer;
    this.contentId = contentId;
    this.keyOf = keyOf;
    const recordId = sourceEntry(source)?.kinds[kind]?.recordId ?? null;
    this.recordIdPath = recordId === null ? null : recordId.split('.');
  }

  problems(value: unknown): Problem[] {
    if (!isPlainObject(value)) {
      return [{ path: '(record)', message: `expected a JSON object, got ${Array.isArray(value) ? 'an array' : JSON.stringify(value)}` }];
    }
    return [...unknownFields(this.writer.type, value), ...validationProblems(this.writer.type, value)];
  }

  /** The source's own record id, or a keyed id of the content where the source has none. */
  sourceRecordId(value: Record<string, unknown>): string {
    if (this.recordIdPath === null) {
      // Defaults filled in first, so a field left out and the same field sent as its default hash alike.
      return this.contentId(this.writer.type.clone(value, { wrapUnions: false }));
    }
    let current: unknown = value;
    for (const part of this.recordIdPath) current = (current as Record<string, unknown>)[part];
    return String(current);
  }

  convert(value: unknown, receivedAt: number, connector: string): Conversion {
    const problems = this.problems(value);
    if (problems.length > 0) return { ok: false, problems };
    let encoded: Buffer;
    try {
      encoded = this.writer.encode(value);
    } catch (error) {
      if (error instanceof AvroValidationError) return { ok: false, problems: error.problems };
      throw error;
    }
    const record = value as Record<string, unknown>;
    const sourceRecordId = this.sourceRecordId(record);
    const id = eventId(this.source, this.kind, sourceRecordId);
    return {
      ok: true,
      record: {
        eventId: id,
        sourceRecordId,
        message: {
          key: this.keyOf(this.source, this.kind, record, sourceRecordId),
          value: encoded,
          headers: {
            [HEADER.eventId]: id,
            [HEADER.sourceRecordId]: sourceRecordId,
            [HEADER.receivedAt]: String(receivedAt),
            [HEADER.connector]: connector,
          },
        },
      },
    };
  }
}

/** Registers every raw schema (idempotent) and returns a codec per (source, kind). */
export async function loadRawCodecs(serde: AvroSerde, contentId: ContentIdFunction, keyOf: RawKeyFunction): Promise<Map<string, RawRecordCodec>> {
  const codecs = new Map<string, RawRecordCodec>();
  for (const { source, kind } of sourceKinds()) {
    const id = await serde.register(valueSubject(rawTopic(source, kind)), rawSchema(source, kind));
    codecs.set(rawTopic(source, kind), new RawRecordCodec(source, kind, await serde.writer(id), contentId, keyOf));
  }
  return codecs;
}
