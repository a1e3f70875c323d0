/**
 * CityHash128 as of CityHash 1.0.2 — the version ClickHouse pins for the checksum of every
 * compressed block (later CityHash releases hash differently). 64-bit arithmetic is done on
 * BigInt wrapped to 64 bits; blocks are at most a few MiB, so this costs milliseconds.
 */
const MASK = (1n << 64n) - 1n;
const K0 = 0xc3a5c85c97cb3127n;
const K1 = 0xb492b66fbe98f273n;
const K2 = 0x9ae16a3b2f90404fn;
const K3 = 0xc949d7c7509e6557n;
const KMUL = 0x9ddfea08eb382d69n;

const add = (a: bigint, b: bigint): bigint => (a + b) & MASK;
const sub = (a: bigint, b: bigint): bigint => (a - b) & MASK;
const mul = (a: bigint, b: bigint): bigint => (a * b) & MASK;
const rotate = (value: bigint, shift: number): bigint =>
  shift === 0 ? value : ((value >> BigInt(shift)) | (value << BigInt(64 - shift))) & MASK;
const shiftMix = (value: bigint): bigint => value ^ (value >> 47n);

function hashLen16(u: bigint, v: bigint): bigint {
  let a = mul(u ^ v, KMUL);
  a ^= a >> 47n;
  let b = mul(v ^ a, KMUL);
  b ^= b >> 47n;
  return mul(b, KMUL);
}

class Bytes {
  readonly data: Uint8Array;
  readonly view: DataView;
  constructor(data: Uint8Array) {
    this.data = data;
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  fetch64(at: number): bigint {
    return this.view.getBigUint64(at, true);
  }
  fetch32(at: number): bigint {
    return BigInt(this.view.getUint32(at, true));
  }
}

function hashLen0to16(s: Bytes, at: number, len: number): bigint {
  if (len > 8) {
    const a = s.fetch64(at);
    const b = s.fetch64(at + len - 8);
    return hashLen16(a, rotate(add(b, BigInt(len)), len)) ^ b;
  }
  if (len >= 4) {
    const a = s.fetch32(at);
    return hashLen16(add(BigInt(len), (a << 3n) & MASK), s.fetch32(at + len - 4));
  }
  if (len > 0) {
    const a = BigInt(s.data[at]!);
    const b = BigInt(s.data[at + (len >> 1)]!);
    const c = BigInt(s.data[at + len - 1]!);
    const y = (a + (b << 8n)) & 0xffffffffn;
    const z = (BigInt(len) + (c << 2n)) & 0xffffffffn;
    return mul(shiftMix(mul(y, K2) ^ mul(z, K3)), K2);
  }
  return K2;
}

function weakHashLen32WithSeeds(s: Bytes, at: number, seedA: bigint, seedB: bigint): [bigint, bigint] {
  const w = s.fetch64(at);
  const x = s.fetch64(at + 8);
  const y = s.fetch64(at + 16);
  const z = s.fetch64(at + 24);
  let a = add(seedA, w);
  let b = rotate(add(add(seedB, a), z), 21);
  const c = a;
  a = add(add(a, x), y);
  b = add(b, rotate(a, 44));
  return [add(a, z), add(b, c)];
}

function cityMurmur(s: Bytes, at: number, len: number, seedLow: bigint, seedHigh: bigint): [bigint, bigint] {
  let a = seedLow;
  let b = seedHigh;
  let c: bigint;
  let d: bigint;
  let l = len - 16;
  if (l <= 0) {
    a = mul(shiftMix(mul(a, K1)), K1);
    c = add(mul(b, K1), hashLen0to16(s, at, len));
    d = shiftMix(add(a, len >= 8 ? s.fetch64(at) : c));
  } else {
    c = hashLen16(add(s.fetch64(at + len - 8), K1), a);
    d = hashLen16(add(b, BigInt(len)), add(c, s.fetch64(at + len - 16)));
    a = add(a, d);
    do {
      a ^= mul(shiftMix(mul(s.fetch64(at), K1)), K1);
      a = mul(a, K1);
      b ^= a;
      c ^= mul(shiftMix(mul(s.fetch64(at + 8), K1)), K1);
      c = mul(c, K1);
      d ^= c;
      at += 16;
      l -= 16;
    } while (l > 0);
  }
  a = hashLen16(a, c);
  b = hashLen16(d, b);
  return [a ^ b, hashLen16(b, a)];
}

function cityHash128WithSeed(s: Bytes, at: number, len: number, seedLow: bigint, seedHigh: bigint): [bigint, bigint] {
  if (len < 128) return cityMurmur(s, at, len, seedLow, seedHigh);
  let x = seedLow;
  let y = seedHigh;
  let z = mul(BigInt(len), K1);
  const v: [bigint, bigint] = [0n, 0n];
  const w: [bigint, bigint] = [0n, 0n];
  v[0] = add(mul(rotate(y ^ K1, 49), K1), s.fetch64(at));
  v[1] = add(mul(rotate(v[0], 42), K1), s.fetch64(at + 8));
  w[0] = add(mul(rotate(add(y, z), 35), K1), x);
  w[1] = mul(rotate(add(x, s.fetch64(at + 88)), 53), K1);
  const round = (): void => {
    x = mul(rotate(add(add(add(x, y), v[0]), s.fetch64(at + 16)), 37), K1);
    y = mul(rotate(add(add(y, v[1]), s.fetch64(at + 48)), 42), K1);
    x ^= w[1];
    y ^= v[0];
    z = rotate(z ^ w[0], 33);
    [v[0], v[1]] = weakHashLen32WithSeeds(s, at, mul(v[1], K1), add(x, w[0]));
    [w[0], w[1]] = weakHashLen32WithSeeds(s, at + 32, add(z, w[1]), y);
    [z, x] = [x, z];
    at += 64;
  };
  do {
    round();
    round();
    len -= 128;
  } while (len >= 128);
  y = add(y, add(mul(rotate(w[0], 37), K0), z));
  x = add(x, mul(rotate(add(v[0], z), 49), K0));
  for (let tailDone = 0; tailDone < len; ) {
    tailDone += 32;
    y = add(mul(rotate(sub(y, x), 42), K0), v[1]);
    w[0] = add(w[0], s.fetch64(at + len - tailDone + 16));
    x = add(mul(rotate(x, 49), K0), w[0]);
    w[0] = add(w[0], v[0]);
    [v[0], v[1]] = weakHashLen32WithSeeds(s, at + len - tailDone, v[0], v[1]);
  }
  x = hashLen16(x, v[0]);
  y = hashLen16(y, w[0]);
  return [add(hashLen16(add(x, v[1]), w[1]), y), hashLen16(add(x, w[1]), add(y, v[1]))];
}

/** CityHash128 (v1.0.2) of `data`, as ClickHouse writes it: the low 64 bits, then the high, little-endian. */
export function cityHash128(data: Uint8Array): Buffer {
  const s = new Bytes(data);
  const len = data.length;
  let low: bigint;
  let high: bigint;
  if (len >= 16) {
    [low, high] = cityHash128WithSeed(s, 16, len - 16, s.fetch64(0) ^ K3, s.fetch64(8));
  } else if (len >= 8) {
    [low, high] = cityHash128WithSeed(s, 0, 0, s.fetch64(0) ^ mul(BigInt(len), K0), s.fetch64(len - 8) ^ K1);
  } else {
    [low, high] = cityHash128WithSeed(s, 0, len, K0, K1);
  }
  const out = Buffer.alloc(16);
  out.writeBigUInt64LE(low, 0);
  out.writeBigUInt64LE(high, 8);
  return out;
}
