/**
 * The generator's only source of randomness: a seeded sfc32 generator (Doty-Humphrey's Small Fast
 * Counter, 128-bit state) seeded through splitmix32. Same seed, same sequence, on every platform —
 * which `Math.random` cannot promise.
 */

function splitmix32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    const next = splitmix32(seed);
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // sfc32's first outputs still show the seed's structure; its authors discard a few.
    for (let i = 0; i < 12; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max], both included. */
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(probability: number): boolean {
    return this.float() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** `count` random decimal digits. */
  digits(count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += String.fromCharCode(48 + this.int(10));
    return text;
  }

  /** `count` characters drawn from `alphabet`. */
  chars(alphabet: string, count: number): string {
    let text = '';
    for (let i = 0; i < count; i++) text += alphabet[this.int(alphabet.length)];
    return text;
  }

  /** A generator of its own, seeded from this one: lets one part of the output not shift when another draws more. */
  fork(): Random {
    return new Random(this.uint32());
  }
}

/** The index of the first of ascending running totals above `target`, by bisection (the last when none is). */
export function firstAbove(cumulative: ArrayLike<number>, target: number): number {
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (cumulative[middle]! > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

/** Picks among values with relative weights (need not sum to 1). */
export class WeightedTable<T> {
  private readonly values: T[];
  private readonly cumulative: Float64Array;

  constructor(entries: readonly (readonly [T, number])[]) {
    const kept = entries.filter(([, weight]) => weight > 0);
    if (kept.length === 0) throw new Error('a weighted table needs at least one positive weight');
    this.values = kept.map(([value]) => value);
    this.cumulative = new Float64Array(kept.length);
    let total = 0;
    kept.forEach(([, weight], i) => {
      total += weight;
      this.cumulative[i] = total;
    });
  }

  pick(random: Random): T {
    const target = random.float() * this.cumulative[this.cumulative.length - 1]!;
    return this.values[firstAbove(this.cumulative, target)]!;
  }
}

/** A table from `{ value: weight }`; values left out are never picked. */
export function weighted<K extends string>(weights: Readonly<Partial<Record<K, number>>>): WeightedTable<K> {
  return new WeightedTable(Object.entries(weights) as [K, number][]);
}
