/**
 * vhd — tokhaiyte.vn / Vietnam Health Declaration: health and movement declarations in camelCase
 * JSON, names in capitals, GSO codes, dates dd/MM/yyyy (HH:mm:ss) local, yes/no coded 1/2, symptoms
 * as `sign` 0/1 plus comma-separated words.
 */
import { GENDER_WORDS } from '../../../services/source-vocabulary/gender.ts';
import { COUNTRY_NAMES } from '../../../services/source-vocabulary/nationalities.ts';
import { stripDiacritics } from '../../../services/source-vocabulary/text-key.ts';
import { VHD_EXPOSURE_ANSWER, VHD_SIGN_ANSWER } from '../../../services/source-vocabulary/yes-no.ts';
import { personTruth, residenceTruth, symptomWord } from '../../../services/generator/common-fields.ts';
import { declarationSpec, healthDeclarationTruth, movementDeclarationSpec, movementDeclarationTruth } from '../../../services/generator/declaration-spec.ts';
import { healthAnswers, type DeclarationFacts, type HealthAnswers } from '../../../services/generator/declarations.ts';
import { typedDocumentNumber } from '../../../services/generator/identity-documents.ts';
import { journey, type Journey } from '../../../services/generator/journeys.ts';
import { formatDate, formatDateSeconds, localMidnight, truncate } from '../../../services/generator/local-time.ts';
import type { PairSpec, ProblemApplier, RawRecord, RenderContext, Rendered } from '../../../services/generator/pair-spec.ts';
import type { Person, Residence } from '../../../services/generator/people.ts';
import { writePhone, type PhoneStyle } from '../../../services/generator/phones.ts';
import {
  futureDateIn, impossibleDateIn, invalidPhoneIn, mistypedBirthYearIn, outOfRangeBirthYearIn, unknownProvinceCodeIn,
} from '../../../services/generator/problems.ts';
import { weighted, type Random } from '../../../services/generator/random.ts';
import type { HealthDeclarationTruth, MovementDeclarationTruth, PersonTruth } from '../../../services/generator/truth.ts';
import { capitalName, emailOf, typedVehicleCode } from '../../../services/generator/written-forms.ts';
import { DECLARATION_TYPES, VEHICLE_LABELS } from './vocabulary.ts';

/** How often vhd's users write each phone style (free-text phone fields only). */
const PHONE_STYLE = weighted<PhoneStyle>({ local: 60, international: 12, e164: 12, 'e164-spaced': 6, 'local-spaced': 6, 'local-dotted': 4 });

const SOURCE = 'vhd';

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
      phone: writePhone(person.phone, PHONE_STYLE.pick(random)),
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
    formType: facts.declarationType === 'DOMESTIC' && random.chance(0.1) ? null : DECLARATION_TYPES.codes.word(facts.declarationType),
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

const VHD_HEALTH_DECLARATION = declarationSpec({
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
  const label = trip.privateVehicle === 'other' ? 'Khác' : VEHICLE_LABELS.word(trip.mode);
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

const VHD_MOVEMENT_DECLARATION = movementDeclarationSpec({
  source: SOURCE,
  pool: (people, problem) => (problem === 'cccd-birth-year-mismatch' ? people.withCccd : people.withDocument),
  render: renderMovement,
  problems: {
    ...SHARED_PROBLEMS,
    'unknown-province': unknownProvinceCodeIn('endProvinceId'),
    'impossible-date': impossibleDateIn('startTime'),
  },
});

/** The renderers of vhd, one per kind it publishes (the generator checks them against source.json). */
export const PAIR_SPECS: readonly PairSpec[] = [VHD_HEALTH_DECLARATION, VHD_MOVEMENT_DECLARATION];

/** Fields vhd's users or integrators add by mistake (the generator's unknown-field defect). */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['phoneNumber', '0912345678'], ['cmnd', '012345678'], ['diaChi', 'Số 5 ngõ 12']];
