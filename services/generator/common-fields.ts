/**
 * Field values several sources write alike: a person's document, identity and residence in
 * canonical form, birth dates, the personal QR, symptom words and the exposure answers' truth.
 */
import type { Symptom } from '../../schemas/kinds/canonical-values.ts';
import type { PersonalQr } from '../source-vocabulary/personal-qr.ts';
import { SYMPTOM_WORDS } from '../source-vocabulary/symptoms.ts';
import type { HealthAnswers } from './declarations.ts';
import { formatCalendarDate } from './local-time.ts';
import type { Person, Residence } from './people.ts';
import { e164 } from './phones.ts';
import type { Random } from './random.ts';
import type { AddressTruth, DocumentTruth, ExposureTruth, PersonTruth } from './truth.ts';

export function documentTruth(person: Person): DocumentTruth | null {
  return person.document ? { type: person.document.type, number: person.document.number } : null;
}

/** What a source wrote of a person otherwise than the person is: the name as written, no nationality, no phone. */
export interface WrittenPerson {
  fullName?: string;
  nationality?: string | null;
  phone?: string | null;
}

/** A declarant's truth: the person's document, birth year and gender, with name, nationality and phone as `written` says (the person's own otherwise). */
export function personTruth(person: Person, written: WrittenPerson = {}): PersonTruth {
  return {
    full_name: written.fullName ?? person.fullName,
    document: documentTruth(person),
    birth_year: person.birthYear,
    gender: person.gender,
    nationality: written.nationality === undefined ? person.nationality : written.nationality,
    phone: written.phone === undefined ? e164(person.phone) : written.phone,
  };
}

/** A residence written with GSO codes down to the ward. */
export function residenceTruth(residence: Residence): AddressTruth {
  return { province_code: residence.provinceCode, district_code: residence.district?.code ?? null, ward_code: residence.ward?.code ?? null, line: residence.line };
}

/** dd/MM/yyyy as apps store a birth date; 01/01/yyyy when only the year is known. */
export function birthDateDdMmYyyy(person: Person): string {
  return person.birthDateKnown ? formatCalendarDate(person.birthYear, person.birthMonth, person.birthDay) : formatCalendarDate(person.birthYear, 1, 1);
}

/** The person's PC-Covid personal QR: the document (or the phone, as SDT), name, birth date, QID. */
export function personalQr(random: Random, person: Person): PersonalQr {
  const document = person.document;
  return {
    documentNumber: document ? document.number : `0${person.phone}`,
    fullName: person.fullName,
    dateOfBirth: birthDateDdMmYyyy(person),
    identityType: document ? document.type : 'PHONE',
    qid: person.qid,
    ext: random.chance(0.9) ? '' : String(random.between(1, 3)),
  };
}

/** A symptom's Vietnamese word: usually the common one, sometimes another the forms accept. */
export function symptomWord(random: Random, symptom: Symptom): string {
  const words = SYMPTOM_WORDS.words(symptom);
  return random.chance(0.8) ? words[0]! : random.pick(words);
}

export function exposureTruth(answers: HealthAnswers, placesVisited: string[]): ExposureTruth {
  return {
    contact_with_case: answers.contactWithCase,
    from_outbreak_area: answers.fromOutbreakArea,
    contact_with_symptomatic: answers.contactWithSymptomatic,
    places_visited: placesVisited,
  };
}
