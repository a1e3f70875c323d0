/**
 * A memo of recent results in bounded memory, for values that cost more to compute than to look up
 * and are asked for again and again (person keys of people who recur, folded pick-list words).
 * Entries live in two generations of at most `generation` entries each: when the current one is
 * full it becomes the previous one, and the one before is dropped. An entry found in the previous
 * generation moves to the current one, so entries in use stay. Nothing expires by time: keep only
 * values that never change for their key.
 */
export class RecentCache<K, V> {
  private readonly generation: number;
  private current = new Map<K, V>();
  private previous = new Map<K, V>();

  constructor(generation: number) {
    if (!(Number.isInteger(generation) && generation > 0)) throw new Error(`a cache generation holds at least one entry, not ${generation}`);
    this.generation = generation;
  }

  get(key: K): V | undefined {
    const value = this.current.get(key);
    if (value !== undefined) return value;
    const older = this.previous.get(key);
    if (older !== undefined) this.set(key, older);
    return older;
  }

  set(key: K, value: V): void {
    if (this.current.size >= this.generation) {
      this.previous = this.current;
      this.current = new Map();
    }
    this.current.set(key, value);
  }

  /** Entries held (one moved from the previous generation may count twice): at most twice the generation. */
  get size(): number {
    return this.current.size + this.previous.size;
  }
}
