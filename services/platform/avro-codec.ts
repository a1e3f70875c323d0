/**
 * A compiler from an avsc `Type` to a specialised encoder and decoder for that exact schema.
 *
 * avsc walks a value through one polymorphic `_write`/`_read` per node, dispatches unions at run time
 * and makes native calls for every string. The compiled codec is straight-line JavaScript generated
 * once per type (`new Function`): fields in order, union branches as `if`s on the value's kind,
 * enum symbols as a `switch`, zig-zag varints with an inline one-byte path, and strings copied in
 * JavaScript where that measured faster than a native call (a native call costs some 40-70 ns on
 * Node 24): strings of up to 16 characters are written, ASCII strings of up to 16 bytes read, in
 * JavaScript; longer ones take one `utf8Write` (the length guessed ahead of the bytes) or `utf8Slice`.
 *
 * It behaves as avsc does with the type's default options (no logical-type hooks, unions unwrapped
 * unless ambiguous): the bytes written are avsc's to the byte, encoding throws exactly where avsc's
 * `isValid` rejects the value (values avsc accepts only by coercion, such as a String object for an
 * enum symbol, are written by avsc), a buffer too small makes `encode` return minus the missing byte count,
 * and a truncated input makes `decode` return offset -1 (never a throw for truncation alone; invalid
 * enum or union indices and longs beyond 2^53 throw, as in avsc). Decoded records are plain objects
 * with avsc's fields in schema order (avsc builds instances of generated record classes: a plain
 * literal is cheaper), wrapped-union branches avsc's own branch objects. Schema resolution (reading
 * with a different reader schema) stays with avsc.
 *
 * What the generator does not know (logical types, custom long types, unwrapped unions holding them)
 * it hands to avsc for that part of the value; `compiledFully` tells whether that happened.
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';
import { format } from 'node:util';
import type avro from 'avsc';

export interface AvroCodec {
  readonly type: avro.Type;
  /** False when some part of the schema (or all of it) is encoded and decoded by avsc itself. */
  readonly compiledFully: boolean;
  /** Writes `value` at `pos`; returns the end position, or minus the missing byte count if `buf` is too small. Throws on an invalid value. */
  encode(value: unknown, buf: Buffer, pos?: number): number;
  /** Reads one value at `pos`; `offset` is the end position, or -1 when `buf` is truncated. */
  decode(buf: Buffer, pos?: number): { value: unknown; offset: number };
}

interface AvscTap {
  buf: Buffer;
  pos: number;
}

/** The parts of avsc's type objects (public and internal) the generator relies on. */
interface AvscType {
  readonly typeName: string;
  readonly name?: string;
  readonly branchName?: string;
  readonly types?: readonly AvscType[];
  readonly fields?: readonly AvscField[];
  readonly itemsType?: AvscType;
  readonly valuesType?: AvscType;
  readonly symbols?: readonly string[];
  readonly size?: number;
  readonly _branchConstructor?: unknown;
  _check(value: unknown): boolean;
  _read(tap: AvscTap): unknown;
  _write(tap: AvscTap, value: unknown): void;
  toBuffer(value: unknown): Buffer;
  schema(): unknown;
}

interface AvscField {
  readonly name: string;
  readonly type: AvscType;
  defaultValue(): unknown;
}

const require = createRequire(import.meta.url);
const { Tap } = require('avsc/lib/utils.js') as { Tap: new (buf: Buffer, pos?: number) => AvscTap };

const LITTLE_ENDIAN = endianness() === 'LE';
/** Byte order of a Float32Array/Float64Array element in the Avro (little-endian) encoding. */
const FLOAT_BYTES = LITTLE_ENDIAN ? [0, 1, 2, 3] : [3, 2, 1, 0];
const DOUBLE_BYTES = LITTLE_ENDIAN ? [0, 1, 2, 3, 4, 5, 6, 7] : [7, 6, 5, 4, 3, 2, 1, 0];

/** Strings up to this many bytes are read in JavaScript when ASCII; others by `utf8Slice`. */
const SHORT_STRING_READ = 16;
/** Strings up to this many characters are written in JavaScript (inline if ASCII); longer ones by `utf8Write`. */
const SHORT_STRING_WRITE = 16;

/** `sa(buf, pos, n)`: the ASCII string of the n <= SHORT_STRING_READ bytes at pos, or null if one is not ASCII. */
function shortAsciiReader(): string {
  let body = 'function sa(buf, p, n) {\n  switch (n) {\n    case 0: return \'\';\n';
  for (let n = 1; n <= SHORT_STRING_READ; n++) {
    const names = Array.from({ length: n }, (_, i) => `a${i}`);
    body += `    case ${n}: { ${names.map((a, i) => `const ${a} = buf[p${i ? ` + ${i}` : ''}];`).join(' ')}`;
    body += ` return (${names.join(' | ')}) & 128 ? null : fcc(${names.join(', ')}); }\n`;
  }
  return `${body}  }\n  return null;\n}\n`;
}

/**
 * Helpers shared by the generated functions of one codec. `P` carries the position a reader helper
 * stopped at (readers return the value).
 */
const RUNTIME = `
let P = 0;
const F32 = new Float32Array(1), F32B = new Uint8Array(F32.buffer);
const F64 = new Float64Array(1), F64B = new Uint8Array(F64.buffer);
const fcc = String.fromCharCode;
const TAP = new Tap(Buffer.alloc(0));

function fail(k, x) {
  throw new Error(fmt('invalid %j: %j', TYPES[k].schema(), x));
}

// The value is one avsc accepts through a path the generator does not compile: let avsc write it.
function dw(k, x, buf, pos) {
  const type = TYPES[k];
  if (!type._check(x)) fail(k, x);
  TAP.buf = buf;
  TAP.pos = pos;
  type._write(TAP, x);
  return TAP.pos;
}

function dr(k, buf, pos) {
  TAP.buf = buf;
  TAP.pos = pos;
  const value = TYPES[k]._read(TAP);
  P = TAP.pos;
  return value;
}

// avsc's Tap#readLong.
function rl(buf, pos) {
  let n = 0, k = 0, b, h;
  do {
    b = buf[pos++];
    h = b & 0x80;
    n |= (b & 0x7f) << k;
    k += 7;
  } while (h && k < 28);
  if (h) {
    let f = n, fk = 268435456;
    do {
      b = buf[pos++];
      f += (b & 0x7f) * fk;
      fk *= 128;
    } while (b & 0x80);
    P = pos;
    return (f % 2 ? -(f + 1) : f) / 2;
  }
  P = pos;
  return (n >> 1) ^ -(n & 1);
}

function rlong(buf, pos) {
  const n = rl(buf, pos);
  if (!(n >= -9007199254740990 && n <= 9007199254740990)) throw new Error('potential precision loss');
  return n;
}

function skl(buf, pos) {
  while (buf[pos++] & 0x80) {}
  return pos;
}

// avsc's Tap#writeLong (the same bytes for any number).
function wl(buf, pos, n) {
  if (n >= -1073741824 && n < 1073741824) {
    let m = n >= 0 ? n << 1 : (~n << 1) | 1;
    while (m > 127) {
      buf[pos++] = (m & 0x7f) | 0x80;
      m >>= 7;
    }
    buf[pos++] = m;
    return pos;
  }
  let f = n >= 0 ? n * 2 : -n * 2 - 1;
  while (f >= 128) {
    buf[pos++] = (f & 0x7f) | 0x80;
    f /= 128;
  }
  buf[pos++] = f & 0x7f;
  return pos;
}

// Bytes of the zig-zag varint of a non-negative length n.
function vsize(n) {
  return n < 64 ? 1 : n < 8192 ? 2 : n < 1048576 ? 3 : n < 134217728 ? 4 : 5;
}

// Writes s as avsc does: the zig-zag UTF-8 byte length, then the bytes. avsc encodes strings of up
// to 64 bytes itself (a lone surrogate becomes its own 3 bytes) and longer ones with utf8Write (a
// lone surrogate becomes U+FFFD); both byte counts are those of Buffer.byteLength. For well-formed
// strings (no lone surrogate) the two give the same bytes.
function ws(s, buf, pos) {
  const n = s.length, blen = buf.length;
  if (n > ${SHORT_STRING_WRITE}) {
    // One native call, the bytes written after room for the length's varint, guessed from the
    // character count (right for ASCII, and for most other strings).
    const k = vsize(n);
    if (pos + k + 3 * n <= blen) {
      const len = buf.utf8Write(s, pos + k);
      if (len === n || (vsize(len) === k && (len > 64 || s.isWellFormed()))) {
        wl(buf, pos, len);
        return pos + k + len;
      }
    }
  }
  let len = 0;
  if (n > 64) {
    len = Buffer.byteLength(s);
  } else {
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c < 0x80) len += 1;
      else if (c < 0x800) len += 2;
      else if ((c & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { len += 4; i++; }
      else len += 3;
    }
  }
  pos = len < 64 ? (buf[pos] = len << 1, pos + 1) : wl(buf, pos, len);
  if (pos + len > blen) return pos + len;
  if (len > 64) {
    buf.utf8Write(s, pos, len);
    return pos + len;
  }
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i), c2;
    if (c < 0x80) {
      buf[pos++] = c;
    } else if (c < 0x800) {
      buf[pos++] = (c >> 6) | 0xc0;
      buf[pos++] = (c & 0x3f) | 0x80;
    } else if ((c & 0xfc00) === 0xd800 && ((c2 = s.charCodeAt(i + 1)) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c & 0x03ff) << 10) + (c2 & 0x03ff);
      i++;
      buf[pos++] = (c >> 18) | 0xf0;
      buf[pos++] = ((c >> 12) & 0x3f) | 0x80;
      buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c & 0x3f) | 0x80;
    } else {
      buf[pos++] = (c >> 12) | 0xe0;
      buf[pos++] = ((c >> 6) & 0x3f) | 0x80;
      buf[pos++] = (c & 0x3f) | 0x80;
    }
  }
  return pos;
}

${shortAsciiReader()}
// The string of the bytes [pos, end), all inside buf.
function rs(buf, pos, end) {
  if (end - pos <= ${SHORT_STRING_READ}) {
    const s = sa(buf, pos, end - pos);
    if (s !== null) return s;
  }
  return buf.utf8Slice(pos, end);
}

function rb(buf, pos, end) {
  const b = Buffer.allocUnsafe(end - pos);
  buf.copy(b, 0, pos, end);
  return b;
}
`;

/** One generated function: its locals, declared at its top. */
class FunctionScope {
  private count = 0;
  readonly locals: string[] = [];

  local(): string {
    const name = `_${this.count++}`;
    this.locals.push(name);
    return name;
  }

  declarations(): string {
    return this.locals.length ? `  let ${this.locals.join(', ')};\n` : '';
  }
}

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

function property(name: string): string {
  return IDENTIFIER.test(name) ? `.${name}` : `[${JSON.stringify(name)}]`;
}

/** Which kind of JavaScript value an unwrapped union sends to each of its branches (avsc's buckets). */
function bucketOf(type: AvscType): string {
  switch (type.typeName) {
    case 'double':
    case 'float':
    case 'int':
    case 'long':
      return 'number';
    case 'bytes':
    case 'fixed':
      return 'buffer';
    case 'enum':
      return 'string';
    case 'map':
    case 'error':
    case 'record':
      return 'object';
    default:
      return type.typeName;
  }
}

/** The test that `x` (not null) falls in `bucket`, as avsc's getValueBucket decides it. */
function bucketTest(bucket: string, x: string): string {
  switch (bucket) {
    case 'boolean':
    case 'number':
    case 'string':
      return `typeof ${x} === '${bucket}'`;
    case 'array':
      return `typeof ${x} === 'object' && Array.isArray(${x})`;
    case 'buffer':
      return `typeof ${x} === 'object' && !Array.isArray(${x}) && Buffer.isBuffer(${x})`;
    case 'object':
      return `typeof ${x} === 'object' && !Array.isArray(${x}) && !Buffer.isBuffer(${x})`;
    default:
      return 'false';
  }
}

/** Type names whose whole value check is implied by a true bucket test. */
const CHECKED_BY_BUCKET = new Set(['boolean', 'float', 'double', 'string', 'bytes', 'array', 'map', 'record', 'error']);

/** Code writing the zig-zag varint of a compile-time integer. */
function constantLong(n: number): string {
  const bytes: number[] = [];
  let z = n >= 0 ? n * 2 : -n * 2 - 1;
  while (z >= 128) {
    bytes.push((z % 128) | 0x80);
    z = Math.floor(z / 128);
  }
  bytes.push(z);
  return bytes.map((b) => `buf[pos++] = ${b};`).join(' ');
}

class CodecCompiler {
  private readonly constants: unknown[] = [];
  private readonly constantNames = new Map<unknown, string>();
  private readonly types: AvscType[] = [];
  private readonly typeIndices = new Map<AvscType, number>();
  /** Record types written and read by functions of their own (recursive or used more than once). */
  private readonly sharedRecords = new Map<AvscType, number>();
  private readonly writerFunctions = new Map<AvscType, string>();
  private readonly readerFunctions = new Map<AvscType, string>();
  private readonly functions: string[] = [];
  delegated = false;

  constructor(root: AvscType) {
    const uses = new Map<AvscType, number>();
    const visit = (type: AvscType): void => {
      if (type.typeName === 'record' || type.typeName === 'error') {
        const count = (uses.get(type) ?? 0) + 1;
        uses.set(type, count);
        if (count > 1) {
          if (!this.sharedRecords.has(type)) this.sharedRecords.set(type, this.sharedRecords.size);
          return;
        }
        for (const field of type.fields ?? []) visit(field.type);
      } else if (type.typeName === 'array') {
        visit(type.itemsType!);
      } else if (type.typeName === 'map') {
        visit(type.valuesType!);
      } else if (type.typeName.startsWith('union:')) {
        for (const branch of type.types ?? []) visit(branch);
      }
    };
    visit(root);
  }

  /** A name bound to `value` in the generated code. */
  private constant(value: unknown): string {
    let name = this.constantNames.get(value);
    if (!name) {
      name = `c${this.constants.length}`;
      this.constants.push(value);
      this.constantNames.set(value, name);
    }
    return name;
  }

  /** Index of `type` in TYPES (for error messages and delegation to avsc). */
  private typeIndex(type: AvscType): number {
    let index = this.typeIndices.get(type);
    if (index === undefined) {
      index = this.types.length;
      this.types.push(type);
      this.typeIndices.set(type, index);
    }
    return index;
  }

  /** Code writing the varint of a non-negative integer held in `n`. */
  private length(n: string): string {
    return `if (${n} < 64) buf[pos++] = ${n} << 1; else pos = wl(buf, pos, ${n});`;
  }

  /** Code reading a long into `target` (no precision check). */
  private readLong(target: string): string {
    return `if ((b = buf[pos]) < 128) { ${target} = (b >> 1) ^ -(b & 1); pos++; } else { ${target} = rl(buf, pos); pos = P; }`;
  }

  /**
   * Code writing the value held in the local `x`. `checked`: a union's bucket test already proved
   * the value has the JavaScript kind the type needs.
   */
  write(type: AvscType, x: string, scope: FunctionScope, checked = false): string {
    const k = this.typeIndex(type);
    const fail = `fail(${k}, ${x})`;
    switch (type.typeName) {
      case 'null':
        return `if (${x} !== null) ${fail};`;
      case 'boolean':
        return `${checked ? '' : `if (typeof ${x} !== 'boolean') ${fail}; `}buf[pos++] = ${x} ? 1 : 0;`;
      case 'int': {
        const z = scope.local();
        return [
          `if (${x} !== (${x} | 0)) ${fail};`,
          `${z} = (${x} << 1) ^ (${x} >> 31);`,
          `while (${z} & -128) { buf[pos++] = (${z} & 127) | 128; ${z} >>>= 7; }`,
          `buf[pos++] = ${z};`,
        ].join('\n');
      }
      case 'long': {
        const z = scope.local();
        return [
          `if (typeof ${x} !== 'number' || ${x} % 1 || !(${x} >= -9007199254740990 && ${x} <= 9007199254740990)) ${fail};`,
          `if (${x} >= -1073741824 && ${x} < 1073741824) {`,
          `  ${z} = ${x} >= 0 ? ${x} << 1 : (~${x} << 1) | 1;`,
          `  while (${z} > 127) { buf[pos++] = (${z} & 127) | 128; ${z} >>= 7; }`,
          `  buf[pos++] = ${z};`,
          `} else pos = wl(buf, pos, ${x});`,
        ].join('\n');
      }
      case 'float':
        return [
          `${checked ? '' : `if (typeof ${x} !== 'number') ${fail}; `}F32[0] = ${x};`,
          FLOAT_BYTES.map((b, i) => `buf[pos + ${i}] = F32B[${b}];`).join(' '),
          'pos += 4;',
        ].join('\n');
      case 'double':
        return [
          `${checked ? '' : `if (typeof ${x} !== 'number') ${fail}; `}F64[0] = ${x};`,
          DOUBLE_BYTES.map((b, i) => `buf[pos + ${i}] = F64B[${b}];`).join(' '),
          'pos += 8;',
        ].join('\n');
      case 'string':
        return `${checked ? '' : `if (typeof ${x} !== 'string') ${fail};\n`}${this.writeString(x, scope)}`;
      case 'bytes': {
        const n = scope.local();
        return [
          checked ? '' : `if (!Buffer.isBuffer(${x})) ${fail};`,
          `${n} = ${x}.length;`,
          this.length(n),
          `if (pos + ${n} <= blen) buf.set(${x}, pos);`,
          `pos += ${n};`,
        ].join('\n');
      }
      case 'fixed':
        return [
          `if (!Buffer.isBuffer(${x}) || ${x}.length !== ${type.size}) ${fail};`,
          `if (pos + ${type.size} <= blen) buf.set(${x}, pos);`,
          `pos += ${type.size};`,
        ].join('\n');
      case 'enum': {
        // A string that is not a symbol may still pass avsc's check (it looks symbols up in a plain
        // object): dw lets avsc decide and write.
        const cases = type.symbols!.map((symbol, i) => `  case ${JSON.stringify(symbol)}: ${constantLong(i)} break;`);
        return [`switch (${x}) {`, ...cases, `  default: pos = dw(${k}, ${x}, buf, pos);`, '}'].join('\n');
      }
      case 'array': {
        const n = scope.local();
        const i = scope.local();
        const item = scope.local();
        return [
          checked ? '' : `if (!Array.isArray(${x})) ${fail};`,
          `${n} = ${x}.length;`,
          `if (${n}) {`,
          this.length(n),
          `for (${i} = 0; ${i} < ${n}; ${i}++) {`,
          `${item} = ${x}[${i}];`,
          this.write(type.itemsType!, item, scope),
          '}',
          '}',
          'buf[pos++] = 0;',
        ].join('\n');
      }
      case 'map': {
        const keys = scope.local();
        const n = scope.local();
        const i = scope.local();
        const key = scope.local();
        const value = scope.local();
        return [
          checked ? '' : `if (!${x} || typeof ${x} !== 'object' || Array.isArray(${x})) ${fail};`,
          `${keys} = Object.keys(${x});`,
          `${n} = ${keys}.length;`,
          `if (${n}) {`,
          this.length(n),
          `for (${i} = 0; ${i} < ${n}; ${i}++) {`,
          `${key} = ${keys}[${i}];`,
          this.writeString(key, scope),
          `${value} = ${x}[${key}];`,
          this.write(type.valuesType!, value, scope),
          '}',
          '}',
          'buf[pos++] = 0;',
        ].join('\n');
      }
      case 'record':
      case 'error':
        return this.writeRecord(type, x, scope, checked);
      case 'union:unwrapped':
        return this.writeUnwrappedUnion(type, x, scope);
      case 'union:wrapped':
        return this.writeWrappedUnion(type, x, scope);
      default:
        // Logical types, custom long types: avsc writes them.
        this.delegated = true;
        return `pos = dw(${k}, ${x}, buf, pos);`;
    }
  }

  private writeString(x: string, scope: FunctionScope): string {
    const n = scope.local();
    const q = scope.local();
    const i = scope.local();
    const c = scope.local();
    return [
      `${n} = ${x}.length;`,
      `if (${n} <= ${SHORT_STRING_WRITE} && pos + ${n} < blen) {`,
      `  ${q} = pos + 1;`,
      `  for (${i} = 0; ${i} < ${n}; ${i}++) { ${c} = ${x}.charCodeAt(${i}); if (${c} > 127) break; buf[${q}++] = ${c}; }`,
      `  if (${i} === ${n}) { buf[pos] = ${n} << 1; pos = ${q}; } else pos = ws(${x}, buf, pos);`,
      `} else pos = ws(${x}, buf, pos);`,
    ].join('\n');
  }

  private writeRecord(type: AvscType, x: string, scope: FunctionScope, checked: boolean): string {
    const k = this.typeIndex(type);
    const check = checked ? '' : `if (${x} === null || typeof ${x} !== 'object') fail(${k}, ${x});\n`;
    if (this.sharedRecords.has(type)) return `${check}pos = ${this.writerFunction(type)}(${x}, buf, pos);`;
    return check + this.writeFields(type, x, scope);
  }

  private writeFields(type: AvscType, x: string, scope: FunctionScope): string {
    const lines: string[] = [];
    for (const field of type.fields!) {
      const value = scope.local();
      lines.push(`${value} = ${x}${property(field.name)};`);
      const defaultValue = field.defaultValue();
      if (defaultValue === undefined) {
        lines.push(this.write(field.type, value, scope));
      } else {
        // A missing field gets its default, encoded ahead of time as avsc does.
        const bytes = field.type.toBuffer(defaultValue);
        const writeDefault =
          bytes.length <= 8
            ? [...bytes].map((b) => `buf[pos++] = ${b};`).join(' ')
            : `if (pos + ${bytes.length} <= blen) buf.set(${this.constant(bytes)}, pos); pos += ${bytes.length};`;
        lines.push(`if (${value} === undefined) { ${writeDefault} } else {`, this.write(field.type, value, scope), '}');
      }
    }
    return lines.join('\n');
  }

  private writerFunction(type: AvscType): string {
    let name = this.writerFunctions.get(type);
    if (!name) {
      name = `w${this.sharedRecords.get(type)}`;
      this.writerFunctions.set(type, name);
      const scope = new FunctionScope();
      const body = this.writeFields(type, 'x', scope);
      this.functions.push(`function ${name}(x, buf, pos) {\n  const blen = buf.length;\n${scope.declarations()}${body}\nreturn pos;\n}`);
    }
    return name;
  }

  private writeUnwrappedUnion(type: AvscType, x: string, scope: FunctionScope): string {
    const k = this.typeIndex(type);
    const branches = type.types!;
    if (branches.some((branch) => branch.typeName.startsWith('logical:') || branch.typeName.startsWith('abstract:'))) {
      // avsc matches such branches by trying each one's check.
      this.delegated = true;
      return `pos = dw(${k}, ${x}, buf, pos);`;
    }
    const nullIndex = branches.findIndex((branch) => branch.typeName === 'null');
    const lines = [`if (${x} === null) { ${nullIndex < 0 ? `fail(${k}, ${x});` : constantLong(nullIndex)} }`];
    branches.forEach((branch, index) => {
      if (branch.typeName === 'null') return;
      lines.push(
        `else if (${bucketTest(bucketOf(branch), x)}) {`,
        constantLong(index),
        this.write(branch, x, scope, CHECKED_BY_BUCKET.has(branch.typeName)),
        '}',
      );
    });
    lines.push(`else fail(${k}, ${x});`);
    return lines.join('\n');
  }

  private writeWrappedUnion(type: AvscType, x: string, scope: FunctionScope): string {
    const k = this.typeIndex(type);
    const branches = type.types!;
    const nullIndex = branches.findIndex((branch) => branch.typeName === 'null');
    const keys = scope.local();
    const value = scope.local();
    const lines = [
      `if (${x} === null) { ${nullIndex < 0 ? `fail(${k}, ${x});` : constantLong(nullIndex)} }`,
      `else {`,
      `if (typeof ${x} !== 'object') fail(${k}, ${x});`,
      `${keys} = Object.keys(${x});`,
      `if (${keys}.length !== 1) fail(${k}, ${x});`,
      `switch (${keys}[0]) {`,
    ];
    branches.forEach((branch, index) => {
      if (branch.typeName === 'null') return;
      const name = JSON.stringify(branch.branchName);
      lines.push(`case ${name}: {`, constantLong(index), `${value} = ${x}[${name}];`, this.write(branch, value, scope), 'break;', '}');
    });
    lines.push(`default: fail(${k}, ${x});`, '}', '}');
    return lines.join('\n');
  }

  /** Code reading a value of `type` into the local `target`. */
  read(type: AvscType, target: string, scope: FunctionScope): string {
    switch (type.typeName) {
      case 'null':
        return `${target} = null;`;
      case 'boolean':
        return `${target} = !!buf[pos++];`;
      case 'int':
        return this.readLong(target);
      case 'long':
        return `if ((b = buf[pos]) < 128) { ${target} = (b >> 1) ^ -(b & 1); pos++; } else { ${target} = rlong(buf, pos); pos = P; }`;
      case 'float':
        return [
          `if (pos + 4 > blen) ${target} = 0;`,
          `else { ${FLOAT_BYTES.map((b, i) => `F32B[${b}] = buf[pos + ${i}];`).join(' ')} ${target} = F32[0]; }`,
          'pos += 4;',
        ].join('\n');
      case 'double':
        return [
          `if (pos + 8 > blen) ${target} = 0;`,
          `else { ${DOUBLE_BYTES.map((b, i) => `F64B[${b}] = buf[pos + ${i}];`).join(' ')} ${target} = F64[0]; }`,
          'pos += 8;',
        ].join('\n');
      case 'string':
        return this.readSized(target, scope, "''", 'rs');
      case 'bytes':
        return this.readSized(target, scope, 'undefined', 'rb');
      case 'fixed': {
        const end = scope.local();
        return `${end} = pos + ${type.size}; ${target} = ${end} > blen ? undefined : rb(buf, pos, ${end}); pos = ${end};`;
      }
      case 'enum': {
        const index = scope.local();
        const symbols = this.constant(type.symbols);
        const message = JSON.stringify(`invalid ${type.name} enum index: `);
        return [
          this.readLong(index),
          `${target} = ${symbols}[${index}];`,
          `if (${target} === undefined) throw new Error(${message} + ${index});`,
        ].join('\n');
      }
      case 'array': {
        const n = scope.local();
        const i = scope.local();
        const item = scope.local();
        return [
          `${target} = undefined; ${i} = 0;`,
          'for (;;) {',
          this.readLong(n),
          `if (${n} === 0) break;`,
          `if (${n} < 0) { ${n} = -${n}; pos = skl(buf, pos); }`,
          `if (${target} === undefined) ${target} = new Array(${n});`,
          `while (${n}--) {`,
          this.read(type.itemsType!, item, scope),
          `${target}[${i}++] = ${item};`,
          '}',
          '}',
          `if (${target} === undefined) ${target} = [];`,
        ].join('\n');
      }
      case 'map': {
        const n = scope.local();
        const key = scope.local();
        const value = scope.local();
        return [
          `${target} = {};`,
          'for (;;) {',
          this.readLong(n),
          `if (${n} === 0) break;`,
          `if (${n} < 0) { ${n} = -${n}; pos = skl(buf, pos); }`,
          `while (${n}--) {`,
          this.read({ typeName: 'string' } as AvscType, key, scope),
          this.read(type.valuesType!, value, scope),
          `${target}[${key}] = ${value};`,
          '}',
          '}',
        ].join('\n');
      }
      case 'record':
      case 'error':
        if (this.sharedRecords.has(type)) return `${target} = ${this.readerFunction(type)}(buf, pos); pos = P;`;
        return this.readFields(type, target, scope);
      case 'union:unwrapped':
      case 'union:wrapped': {
        const index = scope.local();
        const wrapped = type.typeName === 'union:wrapped';
        const lines = [this.readLong(index), `switch (${index}) {`];
        type.types!.forEach((branch, i) => {
          if (branch.typeName === 'null') {
            lines.push(`case ${i}: ${target} = null; break;`);
          } else if (wrapped) {
            const value = scope.local();
            const Branch = this.constant(branch._branchConstructor);
            lines.push(`case ${i}: {`, this.read(branch, value, scope), `${target} = new ${Branch}(${value}); break; }`);
          } else {
            lines.push(`case ${i}: {`, this.read(branch, target, scope), 'break; }');
          }
        });
        lines.push(`default: throw new Error('invalid union index: ' + ${index});`, '}');
        return lines.join('\n');
      }
      default: {
        this.delegated = true;
        return `${target} = dr(${this.typeIndex(type)}, buf, pos); pos = P;`;
      }
    }
  }

  /** A length-prefixed string or bytes value (avsc: a negative length invalidates the position). */
  private readSized(target: string, scope: FunctionScope, onNegative: string, reader: string): string {
    const n = scope.local();
    const end = scope.local();
    return [
      this.readLong(n),
      `if (${n} < 0) { pos = blen + 1; ${target} = ${onNegative}; }`,
      `else { ${end} = pos + ${n}; ${target} = ${end} > blen ? undefined : ${reader}(buf, pos, ${end}); pos = ${end}; }`,
    ].join('\n');
  }

  private readFields(type: AvscType, target: string, scope: FunctionScope): string {
    const lines: string[] = [];
    const values = type.fields!.map((field) => {
      const value = scope.local();
      lines.push(this.read(field.type, value, scope));
      return value;
    });
    // A plain object with the fields in schema order (a literal `__proto__` key would set the prototype).
    const entries = type.fields!.map((field, i) => `${field.name === '__proto__' ? '["__proto__"]' : field.name}: ${values[i]}`);
    lines.push(`${target} = { ${entries.join(', ')} };`);
    return lines.join('\n');
  }

  private readerFunction(type: AvscType): string {
    let name = this.readerFunctions.get(type);
    if (!name) {
      name = `r${this.sharedRecords.get(type)}`;
      this.readerFunctions.set(type, name);
      const scope = new FunctionScope();
      const target = scope.local();
      const body = this.readFields(type, target, scope);
      this.functions.push(
        `function ${name}(buf, pos) {\n  const blen = buf.length;\n  let b;\n${scope.declarations()}${body}\nP = pos;\nreturn ${target};\n}`,
      );
    }
    return name;
  }

  /** The source of the factory and the values its parameters take. */
  build(root: AvscType): { parameters: string[]; values: unknown[]; body: string } {
    const writeScope = new FunctionScope();
    const writeBody = this.write(root, 'x', writeScope);
    const readScope = new FunctionScope();
    const value = readScope.local();
    const readBody = this.read(root, value, readScope);
    const body = [
      "'use strict';",
      RUNTIME,
      ...this.functions,
      'function encode(x, buf, pos) {',
      "  pos = pos | 0; if (pos < 0) throw new Error('negative offset');",
      '  const blen = buf.length;',
      writeScope.declarations() + writeBody,
      '  return pos > blen ? blen - pos : pos;',
      '}',
      'function decode(buf, pos) {',
      "  pos = pos | 0; if (pos < 0) throw new Error('negative offset');",
      '  const blen = buf.length;',
      '  let b;',
      readScope.declarations() + readBody,
      `  return pos > blen ? { value: undefined, offset: -1 } : { value: ${value}, offset: pos };`,
      '}',
      'return { encode, decode };',
    ].join('\n');
    const parameters = ['Tap', 'fmt', 'TYPES', ...this.constants.map((_, i) => `c${i}`)];
    return { parameters, values: [Tap, format, this.types, ...this.constants], body };
  }
}

const codecs = new WeakMap<avro.Type, AvroCodec>();

/** The codec of `type`, compiled on first use and cached per type object. */
export function compileAvroCodec(type: avro.Type): AvroCodec {
  let codec = codecs.get(type);
  if (!codec) {
    codec = compile(type);
    codecs.set(type, codec);
  }
  return codec;
}

function compile(type: avro.Type): AvroCodec {
  const root = type as unknown as AvscType;
  let functions: Pick<AvroCodec, 'encode' | 'decode'>;
  let compiledFully: boolean;
  try {
    const compiler = new CodecCompiler(root);
    const { parameters, values, body } = compiler.build(root);
    functions = new Function(...parameters, body)(...values) as Pick<AvroCodec, 'encode' | 'decode'>;
    compiledFully = !compiler.delegated;
  } catch (error) {
    // Code generation disallowed (--disallow-code-generation-from-strings): avsc does it all.
    if (!(error instanceof EvalError)) throw error;
    functions = { encode: (value, buf, pos) => type.encode(value, buf, pos), decode: (buf, pos) => type.decode(buf, pos) };
    compiledFully = false;
  }
  return { type, compiledFully, encode: functions.encode, decode: functions.decode };
}
