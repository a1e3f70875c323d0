/**
 * Avro in the Confluent wire format (magic byte 0, 4-byte big-endian schema id, Avro binary body),
 * schemas held in a Confluent-compatible registry reached through @kafkajs/confluent-schema-registry.
 * Subjects are named after topics (`<topic>-value`). Instants (`timestamp-millis`) travel as epoch
 * milliseconds (numbers), dates (`date`) as days since the epoch.
 *
 * The avsc type of each schema id is fetched once and compiled into a specialised codec
 * (avro-codec.ts); after that, encoding and decoding are synchronous, with header and body written
 * into one buffer (the hot path of every service).
 */
import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import avro from 'avsc';
import { compileAvroCodec, type AvroCodec } from './avro-codec.ts';
import { registryClientCredentials, type RegistryClientConfig } from './registry-credentials.ts';
import type { AvroSchema } from './schema-files.ts';

export const WIRE_MAGIC_BYTE = 0;
export const WIRE_HEADER_BYTES = 5;


export type CompatibilityLevel = `${COMPATIBILITY}`;

export class WireFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WireFormatError';
  }
}

/** A value that does not fit its schema; `problems` name each field path and what was wrong. */
export class AvroValidationError extends Error {
  readonly problems: { path: string; message: string }[];
  constructor(problems: { path: string; message: string }[]) {
    super(`record does not match its Avro schema: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`);
    this.name = 'AvroValidationError';
    this.problems = problems;
  }
}

export function valueSubject(topic: string): string {
  return `${topic}-value`;
}

/** Reads the schema id without decoding, so a bad message can be reported precisely. */
export function readSchemaId(message: Buffer): number {
  if (message.length < WIRE_HEADER_BYTES) {
    throw new WireFormatError(`message of ${message.length} bytes is shorter than the 5-byte Confluent header`);
  }
  if (message[0] !== WIRE_MAGIC_BYTE) {
    throw new WireFormatError(`first byte is ${message[0]}, not the Confluent magic byte 0`);
  }
  return message.readUInt32BE(1);
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'missing';
  const text = JSON.stringify(value) ?? String(value);
  return `got ${typeof value} ${text.length > 40 ? `${text.slice(0, 37)}...` : text}`;
}

/** Every field path where `value` breaks `type`, as "person.birth_year: expected ..., got ...". */
export function validationProblems(type: avro.Type, value: unknown): { path: string; message: string }[] {
  const problems: { path: string; message: string }[] = [];
  type.isValid(value, {
    errorHook: (path: string[], fieldValue: unknown, fieldType: avro.Type) => {
      const expected = fieldType.typeName ?? (fieldType as { name?: string }).name ?? 'value';
      problems.push({ path: path.join('.') || '(record)', message: `expected ${expected}, ${describeValue(fieldValue)}` });
    },
  });
  return problems;
}

/** Writes records of one schema: the header once, then each body after it in a scratch buffer. */
export class AvroWriter {
  readonly schemaId: number;
  readonly type: avro.Type;
  private readonly codec: AvroCodec;
  private scratch = Buffer.allocUnsafe(16 * 1024);

  constructor(schemaId: number, type: avro.Type) {
    this.schemaId = schemaId;
    this.type = type;
    this.codec = compileAvroCodec(type);
    this.writeHeader();
  }

  private writeHeader(): void {
    this.scratch[0] = WIRE_MAGIC_BYTE;
    this.scratch.writeUInt32BE(this.schemaId, 1);
  }

  encode(value: unknown): Buffer {
    let end: number;
    try {
      end = this.codec.encode(value, this.scratch, WIRE_HEADER_BYTES);
    } catch {
      throw new AvroValidationError(validationProblems(this.type, value));
    }
    if (end < 0) {
      // The codec, like avsc, returns minus the missing byte count when the buffer is too small.
      this.scratch = Buffer.allocUnsafe(Math.max(this.scratch.length * 2, this.scratch.length - end));
      this.writeHeader();
      return this.encode(value);
    }
    const message = Buffer.allocUnsafe(end);
    this.scratch.copy(message, 0, 0, end);
    return message;
  }
}

export interface AvroSerde {
  readonly registry: SchemaRegistry;
  /** Registers (idempotently) and returns the registry id. */
  /**
   * Registers (idempotently) and returns the registry id. `compatibility` is set on the subject at
   * its first registration, and afterwards must match the subject's level (default BACKWARD).
   */
  register(subject: string, schema: AvroSchema, compatibility?: CompatibilityLevel): Promise<number>;
  /** A synchronous writer for one schema id (fetched from the registry once). */
  writer(schemaId: number): Promise<AvroWriter>;
  encode(schemaId: number, value: unknown): Promise<Buffer>;
  decode<T = Record<string, unknown>>(message: Buffer): Promise<T>;
  /** Decodes synchronously when the message's schema is already cached, else returns undefined. */
  decodeCached<T = Record<string, unknown>>(message: Buffer): T | undefined;
}

export function createAvroSerde(config: RegistryClientConfig): AvroSerde {
  const registry = new SchemaRegistry({ host: config.url, auth: registryClientCredentials(config) ?? undefined });
  const codecs = new Map<number, AvroCodec>();
  const writers = new Map<number, AvroWriter>();

  async function codecFor(schemaId: number): Promise<AvroCodec> {
    const cached = codecs.get(schemaId);
    if (cached) return cached;
    // The registry client caches too, and merges concurrent misses into one request.
    const schema = await registry.getSchema(schemaId);
    const codec = compileAvroCodec(schema as unknown as avro.Type);
    codecs.set(schemaId, codec);
    return codec;
  }

  function decodeWith<T>(codec: AvroCodec, message: Buffer): T {
    const { value, offset } = codec.decode(message, WIRE_HEADER_BYTES);
    if (offset < 0) throw new WireFormatError(`Avro body is truncated for schema id ${message.readUInt32BE(1)}`);
    if (offset !== message.length) {
      throw new WireFormatError(`${message.length - offset} trailing bytes after the Avro body for schema id ${message.readUInt32BE(1)}`);
    }
    return value as T;
  }

  const serde: AvroSerde = {
    registry,
    async register(subject, schema, compatibility = 'BACKWARD') {
      const { id } = await registry.register(
        { type: SchemaType.AVRO, schema: JSON.stringify(schema) },
        { subject, compatibility: compatibility as COMPATIBILITY },
      );
      return id;
    },
    async writer(schemaId) {
      let writer = writers.get(schemaId);
      if (!writer) {
        writer = new AvroWriter(schemaId, (await codecFor(schemaId)).type);
        writers.set(schemaId, writer);
      }
      return writer;
    },
    async encode(schemaId, value) {
      return (await serde.writer(schemaId)).encode(value);
    },
    async decode<T>(message: Buffer) {
      const schemaId = readSchemaId(message);
      return decodeWith<T>(await codecFor(schemaId), message);
    },
    decodeCached<T>(message: Buffer) {
      const codec = codecs.get(readSchemaId(message));
      return codec ? decodeWith<T>(codec, message) : undefined;
    },
  };
  return serde;
}
