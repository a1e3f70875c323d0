/**
 * Identity documents and the identity `person_key` is computed from (docs/architecture.md, "Privacy").
 *
 * - The type of a document number written by hand follows from its shape: 12 digits is a CCCD,
 *   9 digits a CMND, letters and digits (6 to 9) a passport, anything else OTHER. Foreigners
 *   declare with their passport, whatever its shape (many countries' passports are 9 digits).
 * - Numbers are kept without spaces, dots or dashes and in upper case, so that one document
 *   written two ways is one person: digits only for CCCD and CMND.
 * - The person is the document (type + number); without one, the phone (E.164).
 * - A CCCD encodes its holder's birth year and sex (`decodeCccd`); a declaration that disagrees is
 *   kept as declared and flagged, since either side may hold the typo.
 */
import type { DocumentType, Gender } from '../../../../schemas/kinds/canonical-values.ts';
import { decodeCccd } from '../../../source-vocabulary/cccd.ts';
import { compactDocumentNumber } from '../../../platform/person-key.ts';
import type { PersonIdentity } from '../contract.ts';
import { VIETNAMESE } from './nationality.ts';
import { QUALITY_FLAGS, type QualityFlags } from './quality-flags.ts';
import { text } from './text.ts';

export interface IdentityDocument {
  type: DocumentType;
  number: string;
}

/** Who a record is about, as far as its person key goes. */
export interface Identified {
  document: IdentityDocument | null;
  /** E.164. */
  phone: string | null;
}

const CCCD_NUMBER = /^\d{12}$/;
const CMND_NUMBER = /^\d{9}$/;
const PASSPORT_NUMBER = /^(?=.*[A-Z])[A-Z0-9]{6,9}$/;

/** The document a number typed without its type stands for; null when none was written. */
export function documentFromNumber(written: unknown, nationality: string | null): IdentityDocument | null {
  const typed = text(written);
  if (typed === null) return null;
  const number = compactDocumentNumber(typed);
  if (nationality !== null && nationality !== VIETNAMESE) return { type: 'PASSPORT', number };
  if (CCCD_NUMBER.test(number)) return { type: 'CCCD', number };
  if (CMND_NUMBER.test(number)) return { type: 'CMND', number };
  return { type: PASSPORT_NUMBER.test(number) ? 'PASSPORT' : 'OTHER', number };
}

/** A document whose type the source states (PC-Covid profiles and QR codes, chip readers). */
export function documentOfType(type: DocumentType, written: string): IdentityDocument {
  return { type, number: compactDocumentNumber(written) };
}

/** The identity the person key is computed from: the document, else the phone; null when there is neither. */
export function personIdentity(identified: Identified): PersonIdentity | null {
  if (identified.document !== null) return { document: identified.document };
  if (identified.phone !== null) return { phone: identified.phone };
  return null;
}

/** Flags a declared birth year or gender that disagrees with what the CCCD number encodes. */
export function checkAgainstCccd(document: IdentityDocument | null, birthYear: number, gender: Gender | null, flags: QualityFlags): void {
  if (document?.type !== 'CCCD') return;
  const encoded = decodeCccd(document.number);
  if (encoded === null) return;
  if (encoded.birthYear !== birthYear) flags.add(QUALITY_FLAGS.cccdBirthYearMismatch);
  // People declaring OTHER have no sex to compare with the registered one.
  if ((gender === 'MALE' || gender === 'FEMALE') && gender !== encoded.sex) flags.add(QUALITY_FLAGS.cccdGenderMismatch);
}
