/**
 * vhd — tokhaiyte.vn / Vietnam Health Declaration: health and movement declarations in camelCase
 * JSON, names in capitals, GSO codes, dates dd/MM/yyyy (HH:mm:ss) local, yes/no coded 1/2, symptoms
 * as `sign` 0/1 plus comma-separated words.
 */
import { DECLARATION_TYPE_CODES } from '../../source-vocabulary/declaration-types.ts';
import { GENDER_WORDS } from '../../source-vocabulary/gender.ts';
import { COUNTRY_NAMES } from '../../source-vocabulary/nationalities.ts';
import { stripDiacritics } from '../../source-vocabulary/text-key.ts';
import { VHD_VEHICLE_LABELS } from '../../source-vocabulary/transport.ts';
import { VHD_EXPOSURE_ANSWER, VHD_SIGN_ANSWER } from '../../source-vocabulary/yes-no.ts';
import { personTruth, residenceTruth, symptomWord } from '../common-fields.ts';
import { declarationSpec, healthDeclarationTruth, movementDeclarationSpec, movementDeclarationTruth } from '../declaration-spec.ts';
import { healthAnswers, type DeclarationFacts, type HealthAnswers } from '../declarations.ts';
import { typedDocumentNumber } from '../identity-documents.ts';
import { journey, type Journey } from '../journeys.ts';
import { formatDate, formatDateSeconds, localMidnight, truncate } from '../local-time.ts';
import type { ProblemApplier, RawRecord, RenderContext, Rendered } from '../pair-spec.ts';
import type { Person, Residence } from '../people.ts';
import { PHONE_STYLES, writePhone } from '../phones.ts';
import {
  futureDateIn, impossibleDateIn, invalidPhoneIn, mistypedBirthYearIn, outOfRangeBirthYearIn, unknownProvinceCodeIn,
} from '../problems.ts';
import type { Random } from '../random.ts';
import type { HealthDeclarationTruth, MovementDeclarationTruth, PersonTruth } from '../truth.ts';
import { capitalName, emailOf, typedVehicleCode } from '../written-forms.ts';

const SOURCE = 'vhd';
const FORM_TYPES = DECLARATION_TYPE_CODES.vhd;

/** Vietnamese mostly leave nationality empty; foreigners pick their country by name or code. */
function nationality(random: Random, person: Person): string | null {
  if (person.nationality === 'VN') {
    const roll = random.float();
    return roll < 0.7 ? null : roll < 0.95 ? COUNTRY_NAMES.word('VN') : 'VN';
  }
  return random.chance(0.6) ? COUNTRY_NAMES.word(person.nationality) : person.nationality;
}

function answerCode(answer: boolean | null): number | null {
  return answer === null ? null : VHD_EXPOSURE_ANSWER.code(answer);
}

/** The identity part shared by both forms, with its truth. */
function identity(random: Random, person: Person): { fields: RawRecord; truth: PersonTruth } {
  const fullName = capitalName(random, person.fullName, 0.15);
  return {
    fields: {
      fullName,
      idCard: typedDocumentNumber(random, person.document!),
      YoB: person.birthYear,
      gender: stripDiacritics(GENDER_WORDS.word(person.gender)),
      nationality: nationality(random, person),
      phone: writePhone(person.phone, PHONE_STYLES.vhd.pick(random)),
    },
    truth: personTruth(person, { fullName }),
  };
}

/** Where the declarant lives, in GSO codes. */
function residenceFields(home: Residence): RawRecord {
  return { provinceId: home.provinceCode, districtId: home.district?.code ?? null, wardId: home.ward?.code ?? null, address: home.line };
}

/** The 14-day questions as vhd codes them. */
function answersFields(random: Random, answers: HealthAnswers): RawRecord {
  const symptoms = answers.symptoms;
  return {
    placesVisited: answers.places.length > 0 ? answers.places.map((place) => place.text).join(', ') : null,
    sign: VHD_SIGN_ANSWER.code(symptoms.length > 0),
    signDetail: symptoms.length > 0 ? symptoms.map((symptom) => symptomWord(random, symptom)).join(', ') : null,
    hasPatient: answerCode(answers.contactWithCase),
    hasFromSickCountry: answerCode(answers.fromOutbreakArea),
    hasSick: answerCode(answers.contactWithSymptomatic),
  };
}

function renderHealth(context: RenderContext, facts: DeclarationFacts): Rendered<HealthDeclarationTruth> {
  const { random } = context;
  const { person, entry } = facts;
  const occurredAt = truncate(facts.occurredAt, 1000);
  const who = identity(random, person);
  const home = person.home;
  const { vaccination } = facts;
  const record = {
    id: context.ids.objectId(occurredAt),
    formType: facts.declarationType === 'DOMESTIC' && random.chance(0.1) ? null : FORM_TYPES.codes.word(facts.declarationType),
    fullName: who.fields.fullName,
    idCard: who.fields.idCard,
    YoB: who.fields.YoB,
    gender: who.fields.gender,
    nationality: who.fields.nationality,
    ...residenceFields(home),
    phone: who.fields.phone,
    email: random.chance(0.2) ? emailOf(person.fullName, person.birthYear) : null,
    flightCode: entry?.flightCode ?? null,
    fromCountry: entry ? (random.chance(0.6) ? COUNTRY_NAMES.word(entry.fromCountry) : entry.fromCountry) : null,
    entryDate: entry ? formatDate(localMidnight(entry.entryDay)) : null,
    ...answersFields(random, facts),
    vaccineDoses: vaccination.doses,
    lastVaccineDate: vaccination.lastDoseDay === null ? null : formatDate(localMidnight(vaccination.lastDoseDay)),
    createdAt: formatDateSeconds(occurredAt),
  };
  const truth = healthDeclarationTruth(SOURCE, facts, {
    occurredAt,
    person: who.truth,
    address: residenceTruth(home),
    placesVisited: facts.places.map((place) => place.text),
  });
  return { record, truth };
}

/** Problems both forms share, on the fields both have. */
const SHARED_PROBLEMS: Record<'future-date' | 'birth-year-out-of-range' | 'cccd-birth-year-mismatch' | 'invalid-phone', ProblemApplier> = {
  'future-date': futureDateIn('createdAt', formatDateSeconds),
  'birth-year-out-of-range': outOfRangeBirthYearIn('YoB', 'year'),
  'cccd-birth-year-mismatch': mistypedBirthYearIn('YoB', 'year'),
  'invalid-phone': invalidPhoneIn('phone'),
};

export const VHD_HEALTH_DECLARATION = declarationSpec({
  source: SOURCE,
  accepts: (person) => person.document !== null,
  pool: (people, problem) => (problem === 'cccd-birth-year-mismatch' ? people.withCccd : people.withDocument),
  renderFacts: renderHealth,
  problems: {
    ...SHARED_PROBLEMS,
    'unknown-province': unknownProvinceCodeIn('provinceId'),
    'impossible-date': impossibleDateIn('createdAt'),
  },
});

/** vhd's label for a means of transport; "Khác" for private journeys declared as other. */
function vehicleLabel(random: Random, trip: Journey): string {
  const label = trip.privateVehicle === 'other' ? 'Khác' : VHD_VEHICLE_LABELS.word(trip.mode);
  return random.chance(0.15) ? stripDiacritics(label) : label;
}

function renderMovement(context: RenderContext, person: Person): Rendered<MovementDeclarationTruth> {
  const { random } = context;
  const occurredAt = truncate(context.time, 1000);
  const who = identity(random, person);
  const trip = journey(random, person, occurredAt);
  const answers = healthAnswers(random, person);
  const home = person.home;
  const vehicleCode = trip.vehicleCode === null ? null : typedVehicleCode(random, trip.vehicleCode);
  const record = {
    id: context.ids.objectId(occurredAt),
    ...who.fields,
    ...residenceFields(home),
    vehicle: vehicleLabel(random, trip),
    flightCode: vehicleCode,
    seat: trip.seat,
    startProvinceId: trip.origin.provinceCode,
    startPlace: trip.origin.name,
    endProvinceId: trip.destination.provinceCode,
    endPlace: trip.destination.name,
    startTime: formatDate(localMidnight(trip.departureDay)),
    ...answersFields(random, answers),
    createdAt: formatDateSeconds(occurredAt),
  };
  const truth = movementDeclarationTruth(SOURCE, trip, answers, {
    occurredAt,
    person: who.truth,
    vehicleCode,
    placesVisited: answers.places.map((place) => place.text),
  });
  return { record, truth };
}

export const VHD_MOVEMENT_DECLARATION = movementDeclarationSpec({
  source: SOURCE,
  pool: (people, problem) => (problem === 'cccd-birth-year-mismatch' ? people.withCccd : people.withDocument),
  render: renderMovement,
  problems: {
    ...SHARED_PROBLEMS,
    'unknown-province': unknownProvinceCodeIn('endProvinceId'),
    'impossible-date': impossibleDateIn('startTime'),
  },
});
