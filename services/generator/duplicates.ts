/**
 * Cross-source duplicates: the same health declaration reaching Truc through two apps (a known
 * 2021 problem: people declared in NCOVI and again in VHD or PC-Covid). A duplicate repeats an
 * earlier declaration's facts through another source, a few minutes later.
 */
import type { DeclarationFacts } from './declarations.ts';
import { MINUTE_MS } from './local-time.ts';
import type { DeclarationSpec } from './pair-spec.ts';
import type { Random } from './random.ts';

/** A duplicate arrives one to ten minutes after the first declaration. */
export const DUPLICATE_MIN_DELAY_MS = MINUTE_MS;
export const DUPLICATE_MAX_DELAY_MS = 10 * MINUTE_MS;

export interface DeclarationSeen {
  source: string;
  sourceRecordId: string;
  facts: DeclarationFacts;
  /** The declaration time as its source wrote it (its truth's occurred_at). */
  occurredAt: number;
}

/** The latest valid declarations, for duplicates to repeat. */
export class RecentDeclarations {
  private readonly capacity: number;
  private readonly seen: DeclarationSeen[] = [];

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  remember(declaration: DeclarationSeen): void {
    this.seen.push(declaration);
    if (this.seen.length > this.capacity) this.seen.shift();
  }

  /** The latest declaration from another source that `target` could carry too, or undefined. */
  originalFor(target: DeclarationSpec): DeclarationSeen | undefined {
    for (let i = this.seen.length - 1; i >= 0; i--) {
      const candidate = this.seen[i]!;
      if (candidate.source !== target.source && target.represents(candidate.facts)) return candidate;
    }
    return undefined;
  }
}

/** The original's facts, declared again a few minutes later. */
export function repeatedFacts(random: Random, original: DeclarationSeen): DeclarationFacts {
  return { ...original.facts, occurredAt: original.occurredAt + random.between(DUPLICATE_MIN_DELAY_MS, DUPLICATE_MAX_DELAY_MS) };
}
