/**
 * The compiled Avro codec against avsc itself: the same bytes for every valid value (random ones from
 * `type.random()` and hand-written edge cases), the same decoded values, a throw exactly where avsc's
 * `isValid` rejects a value, minus the missing byte count for a buffer too small, and offset -1 for a
 * truncated input (the codec never throws for truncation alone, nor does avsc).
 */
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { compileAvroCodec } from '../../services/platform/avro-codec.ts';
import { AvroValidationError, AvroWriter } from '../../services/platform/avro-serde.ts';
import { KINDS, canonicalSchema, rawSchema, sourceKinds } from '../../services/platform/catalog.ts';
import { readSchemaFile } from '../../services/platform/schema-files.ts';
import { sampleHealthDeclaration } from '../fixtures/health-declaration.ts';

type Json = Record<string, unknown>;

/** avsc's random values are typed as Type in its typings. */
function randomValue(type: avro.Type): unknown {
  return type.random() as unknown;
}

/** avsc's decoded value with its record instances as plain objects (the codec decodes to those). */
function plain(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(plain);
  const copy: Json = {};
  for (const key of Object.keys(value)) copy[key] = plain((value as Json)[key]);
  return copy;
}

/** Field names at every level, in order: deep equality does not look at key order. */
function keyOrder(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return null;
  if (Array.isArray(value)) return value.map(keyOrder);
  return Object.keys(value).map((key) => [key, keyOrder((value as Json)[key])]);
}

/** Encodes and decodes `value` both ways and expects the codec to agree with avsc. */
function expectSameAsAvsc(type: avro.Type, value: unknown): void {
  const codec = compileAvroCodec(type);
  const expected = type.toBuffer(value);
  const buf = Buffer.alloc(expected.length + 16, 0xee);
  const end = codec.encode(value, buf, 3);
  expect(end).toBe(3 + expected.length);
  expect(buf.subarray(3, end).equals(expected), `bytes of ${JSON.stringify(value)}`).toBe(true);

  const decoded = codec.decode(buf, 3);
  const reference = type.decode(buf, 3);
  expect(decoded.offset).toBe(reference.offset);
  expect(decoded.value).toStrictEqual(plainUnlessWrapped(reference.value));
  expect(keyOrder(decoded.value)).toEqual(keyOrder(reference.value));
}

/** Wrapped-union branch objects are avsc's own in the codec's output too: leave those as they are. */
function plainUnlessWrapped(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) return value.map(plainUnlessWrapped);
  const isBranch = typeof (value as { unwrap?: unknown }).unwrap === 'function';
  const copy: Json = isBranch ? (Object.create(Object.getPrototypeOf(value) as object) as Json) : {};
  for (const key of Object.keys(value)) copy[key] = plainUnlessWrapped((value as Json)[key]);
  return copy;
}

const CANONICAL = avro.Type.forSchema(readSchemaFile('schemas/kinds/health-declaration/canonical.avsc') as avro.Schema);

const EVERYTHING_SCHEMA = {
  type: 'record',
  name: 'Everything',
  namespace: 'test.codec',
  fields: [
    { name: 'nothing', type: 'null' },
    { name: 'flag', type: 'boolean' },
    { name: 'small', type: 'int' },
    { name: 'big', type: 'long' },
    { name: 'ratio', type: 'float' },
    { name: 'precise', type: 'double' },
    { name: 'blob', type: 'bytes' },
    { name: 'text', type: 'string' },
    { name: 'hash', type: { type: 'fixed', name: 'Hash', size: 4 } },
    { name: 'color', type: { type: 'enum', name: 'Color', symbols: ['RED', 'GREEN', 'BLUE'] } },
    { name: 'counts', type: { type: 'map', values: 'int' } },
    {
      name: 'items',
      type: {
        type: 'array',
        items: {
          type: 'record',
          name: 'Item',
          fields: [
            { name: 'label', type: 'string' },
            { name: 'weight', type: ['null', 'double'], default: null },
            { name: 'tags', type: { type: 'array', items: 'string' }, default: [] },
          ],
        },
      },
    },
    {
      name: 'owner',
      type: [
        'null',
        {
          type: 'record',
          name: 'Owner',
          fields: [
            { name: 'name', type: 'string' },
            { name: 'address', type: ['null', { type: 'record', name: 'Place', fields: [{ name: 'line', type: ['null', 'string'] }] }], default: null },
          ],
        },
      ],
      default: null,
    },
    { name: 'second_item', type: ['null', 'Item'], default: null },
    // One branch of every unwrapped kind.
    { name: 'anything', type: ['null', 'boolean', 'long', 'string', 'bytes', { type: 'array', items: 'int' }, { type: 'map', values: 'string' }] },
    { name: 'maybe_hash', type: ['Hash', 'null'] },
    { name: 'maybe_color', type: ['null', 'Color'], default: null },
    { name: 'maybe_number', type: ['null', 'float'], default: null },
    // Ambiguous, so avsc wraps it: { int: 1 }, { long: 2 }, { 'test.codec.Color': 'RED' }, ...
    { name: 'wrapped', type: ['null', 'int', 'long', 'string', 'Color', 'Owner', 'Place'] },
    { name: 'defaulted_text', type: 'string', default: 'a default of more than eight bytes' },
    { name: 'defaulted_number', type: 'int', default: 42 },
  ],
};
const EVERYTHING = avro.Type.forSchema(EVERYTHING_SCHEMA as avro.Schema);

function everything(overrides: Json = {}): Json {
  return {
    nothing: null,
    flag: true,
    small: -1,
    big: 2 ** 40 + 3,
    ratio: 1.5,
    precise: -0.1,
    blob: Buffer.from([0, 1, 2, 255]),
    text: 'Nguyễn Thị Thu Hà',
    hash: Buffer.from('abcd'),
    color: 'GREEN',
    counts: { a: 1, 'Đà Nẵng': -70_000, '': 0 },
    items: [
      { label: 'first', weight: 2.5, tags: ['x', 'y'] },
      { label: '', weight: null, tags: [] },
    ],
    owner: { name: 'Lê Văn Tám', address: { line: '12 Nguyễn Huệ, Phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh' } },
    second_item: null,
    anything: 'a string',
    maybe_hash: null,
    maybe_color: 'BLUE',
    maybe_number: null,
    wrapped: { int: 7 },
    defaulted_text: 'set',
    defaulted_number: 1,
    ...overrides,
  };
}

const RECURSIVE = avro.Type.forSchema({
  type: 'record',
  name: 'Node',
  fields: [
    { name: 'value', type: 'int' },
    { name: 'children', type: { type: 'array', items: 'Node' }, default: [] },
    { name: 'next', type: ['null', 'Node'], default: null },
  ],
} as avro.Schema);

/** Recursive through a union only, so that avsc's random values stay finite (two links on average). */
const LINKED_LIST = avro.Type.forSchema({
  type: 'record',
  name: 'Link',
  fields: [
    { name: 'label', type: 'string' },
    { name: 'next', type: ['null', 'Link'] },
  ],
} as avro.Schema);

function deepNode(depth: number): Json {
  return { value: depth, children: depth % 3 === 0 ? [] : [{ value: -depth, children: [], next: null }], next: depth ? deepNode(depth - 1) : null };
}

const LONG_ASCII = 'x'.repeat(1000);
const LONG_TEXT = 'Chợ Bình Điền 🦠 '.repeat(40);
/** Strings around the thresholds (16 and 17 characters, 64 and 65 bytes, varint sizes), lone surrogates. */
const EDGE_STRINGS = [
  '',
  'a',
  'abcdefghijklmnop',
  'abcdefghijklmnopq',
  'ễ',
  'ễabcdefghijklmno',
  'abcdefghijklmnoễ',
  '😷',
  '👩‍⚕️ bác sĩ',
  'x'.repeat(63),
  'x'.repeat(64),
  'x'.repeat(65),
  `${'x'.repeat(62)}é`,
  `${'x'.repeat(63)}é`,
  `${'ễ'.repeat(21)}x`,
  `${'ễ'.repeat(22)}`,
  'ễ'.repeat(30),
  '\ud800',
  'a\udc00b',
  `lone ${'\ud83d'} surrogate`,
  `${'\ud800'.repeat(30)}`,
  `${'x'.repeat(70)}\ud800`,
  `${'x'.repeat(20)}\ud800`,
  `\udc00${'é'.repeat(20)}`,
  'x'.repeat(8191),
  'x'.repeat(8192),
  'é'.repeat(4096),
  LONG_ASCII,
  LONG_TEXT,
];

describe('compiled Avro codec', () => {
  it('compiles every kind of type without falling back to avsc', () => {
    for (const type of [CANONICAL, EVERYTHING, RECURSIVE, LINKED_LIST]) expect(compileAvroCodec(type).compiledFully).toBe(true);
    expect(compileAvroCodec(CANONICAL)).toBe(compileAvroCodec(CANONICAL));
  });

  it('writes the canonical health declaration as avsc does and reads it back', () => {
    expectSameAsAvsc(CANONICAL, sampleHealthDeclaration());
    const codec = compileAvroCodec(CANONICAL);
    const buf = Buffer.alloc(1024);
    const end = codec.encode(sampleHealthDeclaration(), buf, 0);
    expect(codec.decode(buf.subarray(0, end), 0)).toEqual({ value: sampleHealthDeclaration(), offset: end });
    // Optional parts left out or null.
    expectSameAsAvsc(
      CANONICAL,
      sampleHealthDeclaration({
        province_code: null,
        person_key: null,
        person: { full_name: null, document: null, birth_year: null, gender: null, nationality: null, phone: null },
        symptoms: [],
        exposure: { contact_with_case: null, from_outbreak_area: null, contact_with_symptomatic: null, places_visited: [] },
        vaccination: { doses: 0, last_dose_date: null },
        quality_flags: ['CCCD_BIRTH_YEAR_MISMATCH', 'PHONE_INVALID'],
      }),
    );
    // Fields with defaults may be missing: avsc writes the defaults.
    const sparse = sampleHealthDeclaration();
    delete sparse.symptoms;
    delete sparse.quality_flags;
    delete sparse.province_code;
    expectSameAsAvsc(CANONICAL, sparse);
  });

  it('agrees with avsc on random values of every canonical and raw schema', () => {
    const schemas = [...KINDS.map((kind) => canonicalSchema(kind)), ...sourceKinds().map(({ source, kind }) => rawSchema(source, kind))];
    for (const schema of schemas) {
      const type = avro.Type.forSchema(schema as avro.Schema);
      for (let i = 0; i < 300; i++) expectSameAsAvsc(type, randomValue(type));
    }
  });

  it('agrees with avsc on random values of a schema with every type, and of a recursive one', () => {
    for (let i = 0; i < 3000; i++) expectSameAsAvsc(EVERYTHING, randomValue(EVERYTHING));
    for (let i = 0; i < 1000; i++) expectSameAsAvsc(LINKED_LIST, randomValue(LINKED_LIST));
    // Every union wrapped, as avsc's wrapUnions option makes them.
    const wrapped = avro.Type.forSchema(EVERYTHING_SCHEMA as avro.Schema, { wrapUnions: true });
    expect(compileAvroCodec(wrapped).compiledFully).toBe(true);
    for (let i = 0; i < 1000; i++) expectSameAsAvsc(wrapped, randomValue(wrapped));
  });

  it('agrees with avsc on edge cases', () => {
    const cases: Json[] = [
      everything(),
      everything({ counts: {}, items: [], blob: Buffer.alloc(0), text: '', owner: null, anything: null, maybe_hash: Buffer.from('wxyz') }),
      everything({ owner: { name: '', address: null }, second_item: { label: 'again', weight: 1, tags: ['😷'] } }),
      everything({ anything: true, wrapped: null }),
      everything({ anything: false, wrapped: { long: 2 ** 50 } }),
      everything({ anything: -(2 ** 52), wrapped: { string: 'wrapped' } }),
      everything({ anything: Buffer.from('bytes'), wrapped: { 'test.codec.Color': 'RED' } }),
      everything({ anything: [1, -1, 2 ** 31 - 1, -(2 ** 31)], wrapped: { 'test.codec.Owner': { name: 'o', address: null } } }),
      everything({ anything: { key: 'value', 'khóa': 'giá trị' }, wrapped: { 'test.codec.Place': { line: null } } }),
      everything({ anything: [], maybe_number: 3.25 }),
      everything({ anything: {}, maybe_number: Number.NaN }),
      everything({ defaulted_text: undefined, defaulted_number: undefined, owner: undefined, second_item: undefined }),
      everything({ ratio: Number.NaN, precise: Number.NaN }),
      everything({ ratio: Number.POSITIVE_INFINITY, precise: Number.NEGATIVE_INFINITY }),
      everything({ ratio: -0, precise: -0 }),
      everything({ ratio: 3.4e38, precise: Number.MAX_VALUE }),
      everything({ ratio: 1e-45, precise: Number.MIN_VALUE }),
      everything({ ratio: 0.1, precise: 1 / 3 }),
      everything({ items: Array.from({ length: 100 }, (_, i) => ({ label: `item ${i}`, weight: i, tags: [] })) }),
      everything({ counts: Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`k${i}`, i])) }),
      everything({ blob: Buffer.alloc(10_000, 7) }),
    ];
    const ints = [0, 1, -1, 63, 64, -64, -65, 8191, 8192, -8192, -8193, 2 ** 20, 2 ** 30 - 1, 2 ** 30, -(2 ** 30), -(2 ** 30) - 1, 2 ** 31 - 1, -(2 ** 31), -0];
    for (const small of ints) cases.push(everything({ small }));
    const longs = [...ints, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), 2 ** 35 + 17, -(2 ** 35) - 17, 2 ** 40 + 3, -(2 ** 40) - 5];
    longs.push(Date.UTC(2021, 7, 14), -Date.UTC(2021, 7, 14), 2 ** 52, 2 ** 53 - 2, 9007199254740990, -9007199254740990, 4.5e15);
    for (const big of longs) cases.push(everything({ big }), everything({ anything: big }));
    for (const text of EDGE_STRINGS) {
      cases.push(everything({ text, anything: text, counts: { [text]: 1 }, items: [{ label: text, weight: null, tags: [text, text] }] }));
    }
    for (const value of cases) expectSameAsAvsc(EVERYTHING, value);

    for (const node of [deepNode(0), deepNode(1), deepNode(50)]) expectSameAsAvsc(RECURSIVE, node);
  });

  it('reads a string ending exactly at the end of the buffer', () => {
    const type = avro.Type.forSchema('string');
    for (const text of EDGE_STRINGS) {
      expectSameAsAvsc(type, text);
      const bytes = type.toBuffer(text);
      expect(compileAvroCodec(type).decode(bytes, 0)).toEqual(type.decode(bytes, 0));
    }
  });

  it('throws exactly where avsc finds a value invalid', () => {
    const invalid: [string, Json][] = [
      ['null field not null', everything({ nothing: 0 })],
      ['boolean as number', everything({ flag: 1 })],
      ['boolean missing', everything({ flag: undefined })],
      ['int with a fraction', everything({ small: 1.5 })],
      ['int above 32 bits', everything({ small: 2 ** 31 })],
      ['int below 32 bits', everything({ small: -(2 ** 31) - 1 })],
      ['int as string', everything({ small: '1' })],
      ['int NaN', everything({ small: Number.NaN })],
      ['long with a fraction', everything({ big: 2 ** 40 + 0.5 })],
      ['long beyond 2^53', everything({ big: 2 ** 53 })],
      ['long just beyond the safe range', everything({ big: 9007199254740991 })],
      ['long infinite', everything({ big: Number.POSITIVE_INFINITY })],
      ['long NaN', everything({ big: Number.NaN })],
      ['long as bigint', everything({ big: 5n })],
      ['float as string', everything({ ratio: '1.5' })],
      ['double as boolean', everything({ precise: true })],
      ['bytes as string', everything({ blob: 'abc' })],
      ['bytes as array', everything({ blob: [1, 2] })],
      ['string as number', everything({ text: 1 })],
      ['string null', everything({ text: null })],
      ['string as buffer', everything({ text: Buffer.from('a') })],
      ['fixed too short', everything({ hash: Buffer.from('abc') })],
      ['fixed as string', everything({ hash: 'abcd' })],
      ['unknown enum symbol', everything({ color: 'PURPLE' })],
      ['enum symbol in lower case', everything({ color: 'red' })],
      ['enum as number', everything({ color: 0 })],
      ['enum null', everything({ color: null })],
      ['map as array', everything({ counts: [] })],
      ['map null', everything({ counts: null })],
      ['map with a bad value', everything({ counts: { a: 'one' } })],
      ['array as string', everything({ items: 'abc' })],
      ['array-like object', everything({ items: { length: 0 } })],
      ['array with a bad item', everything({ items: [{ label: 5 }] })],
      ['array with a hole', everything({ items: [, { label: 'x' }] })],
      ['record missing a required field', everything({ owner: {} })],
      ['string where a record is expected', everything({ owner: 'Nguyễn' })],
      ['nested field null where not nullable', everything({ owner: { name: null } })],
      ['union with an unknown kind', everything({ anything: 1.5 })],
      ['union undefined', everything({ anything: undefined })],
      ['union with a function', everything({ anything: () => 1 })],
      ['nullable enum with an unknown symbol', everything({ maybe_color: 'PURPLE' })],
      ['nullable float as string', everything({ maybe_number: '1' })],
      ['union of fixed with a short buffer', everything({ maybe_hash: Buffer.from('a') })],
      ['wrapped union unwrapped', everything({ wrapped: 7 })],
      ['wrapped union with two keys', everything({ wrapped: { int: 1, long: 2 } })],
      ['wrapped union with an unknown branch', everything({ wrapped: { float: 1 } })],
      ['wrapped union with a bad value', everything({ wrapped: { int: 1.5 } })],
      ['wrapped union with an empty object', everything({ wrapped: {} })],
      ['default-able field with a bad value', everything({ defaulted_number: 'x' })],
    ];
    const codec = compileAvroCodec(EVERYTHING);
    const buf = Buffer.alloc(64 * 1024);
    for (const [name, value] of invalid) {
      expect(EVERYTHING.isValid(value), name).toBe(false);
      expect(() => codec.encode(value, buf, 0), name).toThrow();
    }
    for (const value of [null, undefined, 'record', 5, true]) expect(() => codec.encode(value, buf, 0)).toThrow();

    // A record of defaults only accepts any object, as avsc's isValid does, but not a string.
    const defaults = avro.Type.forSchema({ type: 'record', name: 'Defaults', fields: [{ name: 'a', type: 'int', default: 1 }] } as avro.Schema);
    expect(defaults.isValid('text')).toBe(false);
    expect(() => compileAvroCodec(defaults).encode('text', buf, 0)).toThrow();
    expectSameAsAvsc(defaults, []);
  });

  it('throws or writes as avsc does for values changed at random', () => {
    const junk: unknown[] = [null, undefined, '', 'RED', 'x', 0, -1, 1.5, 2 ** 31, 2 ** 53, true, [], {}, [1], { int: 1 }, Buffer.alloc(4)];
    const codec = compileAvroCodec(EVERYTHING);
    const buf = Buffer.alloc(64 * 1024);
    let checked = 0;
    for (let i = 0; i < 3000; i++) {
      const value = plain(randomValue(EVERYTHING)) as Json;
      // Replace one value somewhere in the tree.
      let node: Json = value;
      for (;;) {
        const keys = Object.keys(node);
        if (!keys.length) break;
        const key = keys[Math.floor(Math.random() * keys.length)]!;
        const child = node[key];
        if (child && typeof child === 'object' && !Buffer.isBuffer(child) && Math.random() < 0.5) {
          node = child as Json;
          continue;
        }
        node[key] = junk[Math.floor(Math.random() * junk.length)];
        break;
      }
      if (EVERYTHING.isValid(value)) {
        expectSameAsAvsc(EVERYTHING, value);
      } else {
        expect(() => codec.encode(value, buf, 0)).toThrow();
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('writes values avsc accepts through coercion as avsc writes them', () => {
    // avsc looks enum symbols up in a plain object: a String object or a one-element array passes.
    for (const color of [new String('BLUE'), ['RED']]) {
      const value = everything({ color });
      expect(EVERYTHING.isValid(value)).toBe(true);
      const buf = Buffer.alloc(4096);
      const end = compileAvroCodec(EVERYTHING).encode(value, buf, 0);
      expect(buf.subarray(0, end).equals(EVERYTHING.toBuffer(value))).toBe(true);
    }
  });

  it('returns minus the missing byte count when the buffer is too small, then writes into a larger one', () => {
    for (const [type, value] of [
      [CANONICAL, sampleHealthDeclaration()],
      [EVERYTHING, everything({ text: LONG_TEXT, anything: LONG_ASCII })],
      [EVERYTHING, everything({ text: 'ễ'.repeat(30), blob: Buffer.alloc(100, 1) })],
    ] as [avro.Type, Json][]) {
      const codec = compileAvroCodec(type);
      const expected = type.toBuffer(value);
      // Written at offset 2: too small up to 2 + length - 1 bytes.
      for (let size = 0; size < 2 + expected.length; size++) {
        const end = codec.encode(value, Buffer.alloc(size), 2);
        expect(end).toBe(size - 2 - expected.length);
        expect(end).toBe(type.encode(value, Buffer.alloc(size), 2));
        // Retry into a buffer grown by the missing bytes, as AvroWriter does.
        const grown = Buffer.alloc(size - end);
        expect(codec.encode(value, grown, 2)).toBe(grown.length);
        expect(grown.subarray(2).equals(expected)).toBe(true);
      }
    }
  });

  it('decodes a truncated input to offset -1, as avsc does', () => {
    for (const [type, value] of [
      [CANONICAL, sampleHealthDeclaration()],
      [EVERYTHING, everything()],
      [EVERYTHING, everything({ text: LONG_TEXT, anything: [1, 2, 3], ratio: 1, wrapped: { 'test.codec.Owner': { name: 'n', address: null } } })],
      [RECURSIVE, deepNode(5)],
    ] as [avro.Type, Json][]) {
      const codec = compileAvroCodec(type);
      const bytes = type.toBuffer(value);
      for (let length = 0; length < bytes.length; length++) {
        const truncated = Buffer.from(bytes.subarray(0, length));
        expect(type.decode(truncated, 0).offset).toBe(-1);
        expect(codec.decode(truncated, 0)).toEqual({ value: undefined, offset: -1 });
      }
    }
  });

  it('reads arrays and maps written in several blocks, with or without byte sizes', () => {
    const type = avro.Type.forSchema({
      type: 'record',
      name: 'Blocks',
      fields: [
        { name: 'list', type: { type: 'array', items: 'int' } },
        { name: 'dict', type: { type: 'map', values: 'string' } },
      ],
    } as avro.Schema);
    // list: a block of -2 items (2 bytes), then a block of 1, then the end; dict: the same shape.
    const bytes = Buffer.from([3, 4, 2, 4, 2, 6, 0, 3, 12, 2, 0x61, 2, 0x78, 2, 0x62, 2, 0x79, 2, 2, 0x63, 0, 0]);
    const reference = type.decode(bytes, 0);
    expect(plain(reference.value)).toEqual({ list: [1, 2, 3], dict: { a: 'x', b: 'y', c: '' } });
    expect(compileAvroCodec(type).decode(bytes, 0)).toEqual({ value: plain(reference.value), offset: bytes.length });
  });

  it('throws on invalid input as avsc does', () => {
    const enumType = avro.Type.forSchema({ type: 'enum', name: 'E', symbols: ['A', 'B'] } as avro.Schema);
    for (const index of [Buffer.from([4]), Buffer.from([1])]) {
      expect(() => enumType.decode(index, 0)).toThrow(/enum index/);
      expect(() => compileAvroCodec(enumType).decode(index, 0)).toThrow(/enum index/);
    }

    const union = avro.Type.forSchema(['null', 'string']);
    expect(() => union.decode(Buffer.from([4]), 0)).toThrow(/union index/);
    expect(() => compileAvroCodec(union).decode(Buffer.from([4]), 0)).toThrow(/union index/);

    const long = avro.Type.forSchema('long');
    const huge = Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f]);
    expect(() => long.decode(huge, 0)).toThrow(/precision/);
    expect(() => compileAvroCodec(long).decode(huge, 0)).toThrow(/precision/);
  });

  it('hands logical types to avsc', () => {
    class Instant extends avro.types.LogicalType {
      override _fromValue(value: number): Date {
        return new Date(value);
      }
      override _toValue(date: unknown): number | undefined {
        return date instanceof Date ? date.getTime() : undefined;
      }
      override _resolve(): undefined {
        return undefined;
      }
    }
    const type = avro.Type.forSchema(
      {
        type: 'record',
        name: 'Stamped',
        fields: [
          { name: 'at', type: { type: 'long', logicalType: 'timestamp-millis' } },
          { name: 'maybe_at', type: ['null', 'string', { type: 'long', logicalType: 'timestamp-millis' }] },
          { name: 'note', type: 'string' },
        ],
      } as avro.Schema,
      { logicalTypes: { 'timestamp-millis': Instant } },
    );
    const codec = compileAvroCodec(type);
    expect(codec.compiledFully).toBe(false);
    const value = { at: new Date(Date.UTC(2021, 7, 14)), maybe_at: new Date(0), note: 'ghi chú' };
    const bytes = type.toBuffer(value);
    const buf = Buffer.alloc(bytes.length);
    expect(codec.encode(value, buf, 0)).toBe(bytes.length);
    expect(buf.equals(bytes)).toBe(true);
    expect(codec.decode(bytes, 0)).toEqual({ value, offset: bytes.length });
    expect(() => codec.encode({ ...value, at: 5 }, buf, 0)).toThrow();
  });

  it('serves AvroWriter: precise validation errors and a scratch buffer that grows', () => {
    const writer = new AvroWriter(7, CANONICAL);
    const message = writer.encode(sampleHealthDeclaration());
    expect(message.subarray(0, 5).equals(Buffer.from([0, 0, 0, 0, 7]))).toBe(true);
    expect(message.subarray(5).equals(CANONICAL.toBuffer(sampleHealthDeclaration()))).toBe(true);

    const bad = sampleHealthDeclaration({ declaration_type: 'SOMETIMES', person: { ...(sampleHealthDeclaration().person as Json), birth_year: 1990.5 } });
    let error: unknown;
    try {
      writer.encode(bad);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AvroValidationError);
    expect((error as AvroValidationError).problems.map((p) => p.path)).toEqual(['declaration_type', 'person.birth_year']);

    const large = sampleHealthDeclaration({ quality_flags: Array.from({ length: 2000 }, (_, i) => `FLAG_${i}_${'ễ'.repeat(5)}`) });
    const encoded = writer.encode(large);
    expect(encoded.length).toBeGreaterThan(16 * 1024);
    expect(encoded.subarray(5).equals(CANONICAL.toBuffer(large))).toBe(true);
  });
});
