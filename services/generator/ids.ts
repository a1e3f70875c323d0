/**
 * Record ids in each source's shape. Serial parts start at a seed-dependent offset, so runs with
 * different seeds rarely reuse ids, and count up, so one run never does.
 */
import type { Random } from './random.ts';

const HEX = '0123456789abcdef';

export class IdSequences {
  private readonly random: Random;
  private readonly counters = new Map<string, number>();

  constructor(random: Random) {
    this.random = random;
  }

  /** The next number of the named series, zero-padded to `width` (wider once it outgrows it). */
  next(series: string, width: number): string {
    const current = this.counters.get(series) ?? this.random.int(10 ** (width - 1));
    this.counters.set(series, current + 1);
    return String(current).padStart(width, '0');
  }

  /** A random version-4 UUID. */
  uuid(): string {
    const hex = this.random.chars(HEX, 32);
    const variant = HEX[8 + this.random.int(4)];
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20)}`;
  }

  /** A MongoDB-style object id (vhd): 8 hex digits of epoch seconds, 10 random, 6 of a counter. */
  objectId(epochMs: number): string {
    const seconds = Math.floor(epochMs / 1000).toString(16).padStart(8, '0');
    const counter = (Number(this.next('object-id', 7)) % 0x1000000).toString(16).padStart(6, '0');
    return seconds + this.random.chars(HEX, 10) + counter;
  }
}
