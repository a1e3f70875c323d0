/**
 * The contract between the generator loop and each source's renderer: one `PairSpec` per
 * (source, kind) says how to make a valid record with its truth, and which normalizer-stage
 * defects and soft flags it can carry, with how to apply each.
 */
import type { Kind } from '../platform/catalog.ts';
import type { DeclarationFacts } from './declarations.ts';
import type { IdSequences } from './ids.ts';
import type { Flag, NormalizerDefect } from './labels.ts';
import type { DeclarantLog, Population } from './people.ts';
import type { Random } from './random.ts';
import type { HealthDeclarationTruth, Truth } from './truth.ts';

export type RawRecord = Record<string, unknown>;

export interface RenderContext {
  random: Random;
  people: Population;
  /** Picks declaring people, keeping one person's declarations apart in time. */
  declarants: DeclarantLog;
  ids: IdSequences;
  /** The instant the schedule gave this item; renderers cut it to their source's precision. */
  time: number;
}

export interface Rendered<T extends Truth = Truth> {
  record: RawRecord;
  truth: T;
}

/** A normalizer-stage defect or a soft flag: applied to a valid record after rendering. */
export type SourceProblem = NormalizerDefect | Flag;

/**
 * Applies a problem to a freshly rendered valid record, in place; a flag also patches the truth.
 * Returns the dotted path of the field it changed.
 */
export type ProblemApplier = (record: RawRecord, truth: Truth, random: Random) => string;

export interface PairSpec {
  source: string;
  kind: Kind;
  problems: Partial<Record<SourceProblem, ProblemApplier>>;
  /**
   * Makes a valid record about fresh facts. `problem` is what will be applied afterwards, so the
   * facts can suit it (a CCCD holder for a birth-year mismatch, a phone present for an invalid one).
   */
  render(context: RenderContext, problem: SourceProblem | null): Rendered;
}

/** Health declaration sources can also render given facts: how the same declaration reaches Truc twice. */
export interface DeclarationSpec extends PairSpec {
  kind: 'health-declaration';
  /** Whether this source can carry exactly these facts (C06 only knows CCCD holders; PC-Covid has no key for some symptoms). */
  represents(facts: DeclarationFacts): boolean;
  newFacts(context: RenderContext, problem: SourceProblem | null): DeclarationFacts;
  renderFacts(context: RenderContext, facts: DeclarationFacts, problem: SourceProblem | null): Rendered<HealthDeclarationTruth>;
}

export function isDeclarationSpec(spec: PairSpec): spec is DeclarationSpec {
  return 'renderFacts' in spec;
}
