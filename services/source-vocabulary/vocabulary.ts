/**
 * A two-way table between canonical values and one source's words or codes. The generator writes
 * a canonical value in a source's words (`word`, `words`); the normalizer reads a source's word back
 * (`canonical`). Both use the same table, so they cannot drift apart.
 */
import { foldKey } from './text-key.ts';

export interface Vocabulary<C extends string, W extends string | number = string> {
  /** What the table is, for messages: "vhd vehicle label". */
  readonly name: string;
  /** The canonical values the source has words for, in table order. */
  readonly canonicals: readonly C[];
  /** Whether the source has a word for this canonical value. */
  has(canonical: string): canonical is C;
  /** The source's usual word for a canonical value (the first listed). */
  word(canonical: C): W;
  /** Every word the source is known to use for the value, the usual one first. */
  words(canonical: C): readonly W[];
  /**
   * The canonical value of a source word, or undefined for a word the table does not know. Text
   * matches whatever its case, diacritics, spacing and punctuation (`foldKey`); numbers match exactly.
   */
  canonical(word: string | number): C | undefined;
}

function lookupKey(word: string | number): string | number {
  return typeof word === 'number' ? word : foldKey(word);
}

/**
 * Builds a vocabulary from `{ canonical: [usual word, other words...] }`. Throws when one word
 * (after folding) stands for two canonical values, since a lookup could then not decide.
 */
export function defineVocabulary<C extends string, W extends string | number = string>(
  name: string,
  table: Readonly<Record<C, readonly W[]>>,
): Vocabulary<C, W> {
  const canonicals = Object.keys(table) as C[];
  const byKey = new Map<string | number, C>();
  for (const canonical of canonicals) {
    const words = table[canonical];
    if (words.length === 0) throw new Error(`${name}: no word for ${canonical}`);
    for (const word of words) {
      const key = lookupKey(word);
      const earlier = byKey.get(key);
      if (earlier !== undefined && earlier !== canonical) {
        throw new Error(`${name}: ${JSON.stringify(word)} stands for both ${earlier} and ${canonical}`);
      }
      byKey.set(key, canonical);
    }
  }
  return {
    name,
    canonicals,
    has: (canonical: string): canonical is C => Object.hasOwn(table, canonical),
    word: (canonical) => table[canonical][0]!,
    words: (canonical) => table[canonical],
    canonical: (word) => byKey.get(lookupKey(word)),
  };
}
