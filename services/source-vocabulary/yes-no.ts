/**
 * vhd's numeric answers: the exposure questions (`hasPatient`, `hasFromSickCountry`, `hasSick`) are
 * coded 1 = yes, 2 = no; the symptom question (`sign`) 1 = yes, 0 = no.
 */

export interface YesNoCodes {
  readonly yes: number;
  readonly no: number;
  /** The code of an answer. */
  code(answer: boolean): number;
  /** The answer a code stands for; undefined for any other number. */
  answer(code: number): boolean | undefined;
}

function yesNoCodes(yes: number, no: number): YesNoCodes {
  return {
    yes,
    no,
    code: (answer) => (answer ? yes : no),
    answer: (code) => (code === yes ? true : code === no ? false : undefined),
  };
}

/** vhd `hasPatient`, `hasFromSickCountry`, `hasSick`. */
export const VHD_EXPOSURE_ANSWER = yesNoCodes(1, 2);

/** vhd `sign` (any symptom in the last 14 days). */
export const VHD_SIGN_ANSWER = yesNoCodes(1, 0);
