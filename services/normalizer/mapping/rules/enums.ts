/**
 * Source codes and words to canonical enum values through the vocabularies shared with the
 * generator (`services/source-vocabulary/`): genders, transport modes, symptoms, directions,
 * outcomes, categories, yes/no codes, ...
 *
 * Sources write these from fixed pick-lists, so a code the vocabulary does not know means the
 * source changed its list. Where the canonical field cannot be empty the record fails (UnknownCode)
 * and waits in the dead-letter topic until the vocabulary learns the code; where it can, the value
 * becomes null with a flag and the record flows on.
 */
import { SYMPTOMS, type Symptom } from '../../../../schemas/kinds/canonical-values.ts';
import type { Vocabulary } from '../../../source-vocabulary/vocabulary.ts';
import type { YesNoCodes } from '../../../source-vocabulary/yes-no.ts';
import { ERROR_CLASSES, MappingProblem } from './problem.ts';
import type { QualityFlag, QualityFlags } from './quality-flags.ts';
import { QUALITY_FLAGS } from './quality-flags.ts';

/** The canonical value of a code a required field is read from; fails with UnknownCode when the vocabulary does not know it. */
export function requiredCode<C extends string, W extends string | number>(vocabulary: Vocabulary<C, W>, written: unknown, path: string): C {
  const canonical = typeof written === 'string' || typeof written === 'number' ? vocabulary.canonical(written) : undefined;
  if (canonical === undefined) throw new MappingProblem(ERROR_CLASSES.unknownCode, path, `not a known ${vocabulary.name}`);
  return canonical;
}

/** The canonical value of a code a nullable field is read from; null when none was written, or (flagged) when unknown. */
export function optionalCode<C extends string, W extends string | number>(
  vocabulary: Vocabulary<C, W>,
  written: unknown,
  unknownFlag: QualityFlag,
  flags: QualityFlags,
): C | null {
  if (written === null || written === undefined || (typeof written === 'string' && written.trim() === '')) return null;
  const canonical = typeof written === 'string' || typeof written === 'number' ? vocabulary.canonical(written) : undefined;
  if (canonical === undefined) {
    flags.add(unknownFlag);
    return null;
  }
  return canonical;
}

/**
 * Symptoms from a source's words or keys, in the canonical enum's order, each once. A symptom the
 * vocabulary has no word for is still a symptom the person had: OTHER.
 */
export function symptomsOf(words: readonly string[], vocabulary: Vocabulary<Symptom>): Symptom[] {
  if (words.length === 0) return [];
  const found = new Set<Symptom>();
  for (const word of words) found.add(vocabulary.canonical(word) ?? 'OTHER');
  return SYMPTOMS.filter((symptom) => found.has(symptom));
}

/** A yes/no answer coded as numbers (vhd 1/2, 1/0); null when unanswered, or (flagged) coded otherwise. */
export function yesNoAnswer(codes: YesNoCodes, written: unknown, flags: QualityFlags): boolean | null {
  if (written === null || written === undefined) return null;
  const answer = typeof written === 'number' ? codes.answer(written) : undefined;
  if (answer === undefined) {
    flags.add(QUALITY_FLAGS.answerUnknown);
    return null;
  }
  return answer;
}

/** A yes/no answer sent as a boolean (ncovi, C06, PC-Covid); null when unanswered. */
export function booleanAnswer(written: unknown): boolean | null {
  return typeof written === 'boolean' ? written : null;
}
