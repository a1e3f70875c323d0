import { describe, expect, it } from 'vitest';
import {
  checkAgainst,
  checkCompatibility,
  COMPATIBILITY_LEVELS,
  parseAvroSchema,
  parseCompatibilityLevel,
  readProblem,
  type CompatibilityLevel,
  type PreviousVersion,
} from '../../services/schema-registry/compatibility.ts';
import { RegistryError } from '../../services/schema-registry/errors.ts';

type Field = { name: string; type: unknown; default?: unknown };
const record = (fields: Field[], name = 'Case') => JSON.stringify({ type: 'record', name, fields });
const type = (text: string) => parseAvroSchema(text).type;
const canRead = (reader: string, writer: string) => readProblem(type(reader), type(writer)) === null;

describe('avsc schema resolution (the ground truth for every level)', () => {
  it('rejects a reader field without default that the writer lacks', () => {
    const reader = record([{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]);
    const writer = record([{ name: 'a', type: 'int' }]);
    expect(readProblem(type(reader), type(writer))).toMatch(/default-less Case\.b/);
  });

  it('accepts a reader field with a default that the writer lacks', () => {
    expect(canRead(record([{ name: 'a', type: 'int' }, { name: 'b', type: 'string', default: 'x' }]), record([{ name: 'a', type: 'int' }]))).toBe(true);
  });

  it('accepts a writer field the reader dropped', () => {
    expect(canRead(record([{ name: 'a', type: 'int' }]), record([{ name: 'a', type: 'int' }, { name: 'b', type: 'string' }]))).toBe(true);
  });

  it('rejects an enum reader that lost a symbol the writer may send, unless the reader has a default', () => {
    const writer = JSON.stringify({ type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN'] });
    expect(canRead(JSON.stringify({ type: 'enum', name: 'Colour', symbols: ['RED'] }), writer)).toBe(false);
    expect(canRead(JSON.stringify({ type: 'enum', name: 'Colour', symbols: ['RED'], default: 'RED' }), writer)).toBe(true);
    // Adding a symbol is fine for the reader.
    expect(canRead(JSON.stringify({ type: 'enum', name: 'Colour', symbols: ['RED', 'GREEN', 'BLUE'] }), writer)).toBe(true);
  });

  it('applies the promotions of the specification and nothing more', () => {
    const field = (t: unknown) => record([{ name: 'a', type: t }]);
    expect(canRead(field('long'), field('int'))).toBe(true);
    expect(canRead(field('double'), field('float'))).toBe(true);
    expect(canRead(field('bytes'), field('string'))).toBe(true);
    expect(canRead(field('int'), field('long'))).toBe(false);
    expect(canRead(field('int'), field('string'))).toBe(false);
    expect(canRead(field(['null', 'int']), field('int'))).toBe(true);
    expect(canRead(field('int'), field(['null', 'int']))).toBe(false);
  });

  it('requires matching record names unless aliased', () => {
    const writer = record([{ name: 'a', type: 'int' }], 'Old');
    expect(canRead(record([{ name: 'a', type: 'int' }], 'New'), writer)).toBe(false);
    expect(canRead(JSON.stringify({ type: 'record', name: 'New', aliases: ['Old'], fields: [{ name: 'a', type: 'int' }] }), writer)).toBe(true);
  });
});

describe('compatibility levels', () => {
  const v1 = record([{ name: 'a', type: 'int' }]);
  const v2 = record([{ name: 'b', type: 'string' }]);
  const history = (...schemas: string[]): PreviousVersion[] => schemas.map((s, i) => ({ version: i + 1, type: type(s) }));
  const compatible = (level: CompatibilityLevel, candidate: string, ...previous: string[]) =>
    checkCompatibility(level, type(candidate), history(...previous)).length === 0;

  const addedWithoutDefault = record([{ name: 'a', type: 'int' }, { name: 'c', type: 'int' }]);
  const addedWithDefault = record([{ name: 'a', type: 'int' }, { name: 'c', type: 'int', default: 0 }]);
  const removed = record([{ name: 'c', type: 'int', default: 0 }]);
  const widened = record([{ name: 'a', type: 'long' }]);

  it('NONE accepts anything', () => {
    expect(compatible('NONE', record([{ name: 'z', type: 'string' }]), v1)).toBe(true);
  });

  it('BACKWARD: the new schema must read the latest version', () => {
    expect(compatible('BACKWARD', addedWithDefault, v1)).toBe(true);
    expect(compatible('BACKWARD', widened, v1)).toBe(true);
    expect(compatible('BACKWARD', addedWithoutDefault, v1)).toBe(false);
  });

  it('FORWARD: the latest version must read the new schema', () => {
    expect(compatible('FORWARD', addedWithoutDefault, v1)).toBe(true);
    expect(compatible('FORWARD', removed, v1)).toBe(false);
    expect(compatible('FORWARD', widened, v1)).toBe(false);
  });

  it('FULL needs both directions', () => {
    expect(compatible('FULL', addedWithDefault, v1)).toBe(true);
    expect(compatible('FULL', addedWithoutDefault, v1)).toBe(false); // forward only
    expect(compatible('FULL', widened, v1)).toBe(false); // backward only
  });

  it('transitive levels check every previous version, plain levels only the latest', () => {
    // Readable against v2 (the latest) but not against v1.
    const backwardOnlyWithLatest = record([{ name: 'b', type: 'string' }, { name: 'c', type: 'int', default: 0 }]);
    expect(compatible('BACKWARD', backwardOnlyWithLatest, v1, v2)).toBe(true);
    expect(compatible('BACKWARD_TRANSITIVE', backwardOnlyWithLatest, v1, v2)).toBe(false);
    expect(compatible('FORWARD', backwardOnlyWithLatest, v1, v2)).toBe(true);
    expect(compatible('FORWARD_TRANSITIVE', backwardOnlyWithLatest, v1, v2)).toBe(false);
    expect(compatible('FULL', backwardOnlyWithLatest, v1, v2)).toBe(true);
    expect(compatible('FULL_TRANSITIVE', backwardOnlyWithLatest, v1, v2)).toBe(false);
    const fitsBoth = record([{ name: 'a', type: 'int', default: 0 }, { name: 'b', type: 'string', default: '' }]);
    for (const level of ['BACKWARD_TRANSITIVE', 'FORWARD_TRANSITIVE', 'FULL_TRANSITIVE'] as const) {
      expect(compatible(level, fitsBoth, v1, v2)).toBe(true);
    }
  });

  it('an empty history is compatible at every level', () => {
    for (const level of COMPATIBILITY_LEVELS) expect(compatible(level, v1)).toBe(true);
  });

  it('explains failures naming the version and direction', () => {
    const messages = checkAgainst('FULL', type(addedWithoutDefault), history(v1));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatch(/new schema cannot read data written with version 1/);
  });
});

describe('schema parsing', () => {
  it('normalizes whitespace away so formatting never makes a new schema', () => {
    const pretty = '{\n  "type": "record",\n  "name": "P",\n  "fields": [ { "name": "a", "type": "int" } ]\n}';
    expect(parseAvroSchema(pretty).normalized).toBe('{"type":"record","name":"P","fields":[{"name":"a","type":"int"}]}');
  });

  it('parses the same named type again and again', () => {
    const text = record([{ name: 'a', type: 'int' }]);
    expect(() => [parseAvroSchema(text), parseAvroSchema(text)]).not.toThrow();
  });

  it('reports bad JSON and bad Avro as 42201 with the reason', () => {
    const invalid = (text: string) => {
      try {
        parseAvroSchema(text);
      } catch (error) {
        expect(error).toBeInstanceOf(RegistryError);
        expect((error as RegistryError).errorCode).toBe(42201);
        expect((error as RegistryError).status).toBe(422);
        return (error as RegistryError).message;
      }
      throw new Error(`accepted ${text}`);
    };
    expect(invalid('{"type": "record"')).toMatch(/not valid JSON/);
    expect(invalid('"nosuchtype"')).toMatch(/undefined type name: nosuchtype/);
    expect(invalid(JSON.stringify({ type: 'record', fields: [] }))).toMatch(/Invalid schema/);
    expect(invalid(JSON.stringify({ type: 'record', name: 'D', fields: [{ name: 'a', type: 'int', default: 'x' }] }))).toMatch(/default/);
  });

  it('reads compatibility levels in any case', () => {
    expect(parseCompatibilityLevel('full_transitive')).toBe('FULL_TRANSITIVE');
    expect(parseCompatibilityLevel('SIDEWAYS')).toBeNull();
    expect(parseCompatibilityLevel(3)).toBeNull();
  });
});
