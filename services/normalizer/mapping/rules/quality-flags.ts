/**
 * Data-quality findings a mapping keeps rather than silently fixes (canonical `quality_flags`): the
 * record is emitted, with what was odd about it. A value the canonical schema lets be null that
 * cannot be read becomes null with a flag naming it; a required one fails the record instead.
 */

export const QUALITY_FLAGS = {
  /** The declared birth year differs from the one the CCCD number encodes (the declared one is kept). */
  cccdBirthYearMismatch: 'CCCD_BIRTH_YEAR_MISMATCH',
  /** The declared gender (male or female) differs from the sex the CCCD number encodes (the declared one is kept). */
  cccdGenderMismatch: 'CCCD_GENDER_MISMATCH',
  /** A phone was written that is no Vietnamese mobile: the phone is null. */
  phoneInvalid: 'PHONE_INVALID',
  /** A secondary province (a journey's origin) names no province of 2021: its code is null. */
  provinceUnknown: 'PROVINCE_UNKNOWN',
  nationalityUnknown: 'NATIONALITY_UNKNOWN',
  genderUnknown: 'GENDER_UNKNOWN',
  /** A yes/no answer coded otherwise than the source's yes and no: the answer is null. */
  answerUnknown: 'ANSWER_UNKNOWN',
  directionUnknown: 'DIRECTION_UNKNOWN',
  /** A health colour the source's list does not have: UNKNOWN. */
  healthStatusUnknown: 'HEALTH_STATUS_UNKNOWN',
  outcomeUnknown: 'OUTCOME_UNKNOWN',
  managingLevelUnknown: 'MANAGING_LEVEL_UNKNOWN',
  /** A report category with no canonical match: OTHER. */
  categoryUnmapped: 'CATEGORY_UNMAPPED',
  /** Coordinates that are not numbers, or only one of the two: null. */
  coordinatesInvalid: 'COORDINATES_INVALID',
  /** Coordinates outside Vietnam: null. */
  coordinatesOutOfRange: 'COORDINATES_OUT_OF_RANGE',
  /** A checkpoint's validity ends before it starts (both kept). */
  validityReversed: 'VALIDITY_REVERSED',
} as const;

export type QualityFlag = (typeof QUALITY_FLAGS)[keyof typeof QUALITY_FLAGS];

/** The flags found while mapping one record, each once, in the order found. */
export class QualityFlags {
  private readonly found: QualityFlag[] = [];

  add(flag: QualityFlag): void {
    if (!this.found.includes(flag)) this.found.push(flag);
  }

  list(): QualityFlag[] {
    return [...this.found];
  }
}
