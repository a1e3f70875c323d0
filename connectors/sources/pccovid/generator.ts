/**
 * pccovid — the PC-Covid app: health and movement declarations from the user's profile, QR scans
 * at checkpoints, and citizen reports ("Phản ánh"). camelCase JSON, GSO codes, E.164 phones, epoch
 * millisecond times, the app's own keys for symptoms and transport.
 */
import { QR_IDENTITY_TYPES } from './vocabulary/identity-types.ts';
import { PCCOVID_DIRECTIONS, PCCOVID_HEALTH_STATUSES, PCCOVID_SCAN_RESULTS, PCCOVID_SCAN_TYPES } from './vocabulary/scan.ts';
import { formatPersonalQr } from '../../../services/source-vocabulary/personal-qr.ts';
import { SYMPTOMS, type Symptom } from '../../../schemas/kinds/canonical-values.ts';
import { SCANNABLE_CHECKPOINTS } from '../../../services/generator/checkpoints.ts';
import { birthDateDdMmYyyy, documentTruth, personTruth, personalQr, residenceTruth } from '../../../services/generator/common-fields.ts';
import { declarationSpec, healthDeclarationTruth, movementDeclarationSpec, movementDeclarationTruth } from '../../../services/generator/declaration-spec.ts';
import { healthAnswers, type DeclarationFacts, type HealthAnswers } from '../../../services/generator/declarations.ts';
import { positionIn } from '../../../services/generator/geography.ts';
import { journey } from '../../../services/generator/journeys.ts';
import { HOUR_MS, MINUTE_MS, compactDate, epochMs, localMidnight, localParts } from '../../../services/generator/local-time.ts';
import type { PairSpec, ProblemApplier, RawRecord, RenderContext, Rendered } from '../../../services/generator/pair-spec.ts';
import { checkpointPassageTruth, passageFacts } from '../../../services/generator/passages.ts';
import type { Person } from '../../../services/generator/people.ts';
import { e164 } from '../../../services/generator/phones.ts';
import {
  futureDateIn, impossibleDateIn, malformedQrPayloadIn, mistypedBirthYearIn, outOfRangeBirthYearIn, unknownProvinceCodeIn,
} from '../../../services/generator/problems.ts';
import type { Random } from '../../../services/generator/random.ts';
import { REPORT_PROVINCES, reportFacts } from '../../../services/generator/reports.ts';
import { envelopeTruth, type CheckpointPassageTruth, type CitizenReportTruth, type HealthDeclarationTruth, type MovementDeclarationTruth } from '../../../services/generator/truth.ts';
import { typedVehicleCode } from '../../../services/generator/written-forms.ts';
import { DECLARATION_TYPES, GENDER_CODES, REPORT_TYPES, SYMPTOM_KEYS, TRANSPORT_TYPES } from './vocabulary/app-codes.ts';
import { TEST_RESULT_SPEC } from './test-result-generator.ts';

const SOURCE = 'pccovid';

/** The profile's identity: the document, or for people without one SDT (phone) or nothing. */
function identityFields(random: Random, person: Person): { identityType: string | null; identityNumber: string | null } {
  if (person.document) return { identityType: QR_IDENTITY_TYPES.word(person.document.type), identityNumber: person.document.number };
  return { identityType: random.chance(0.7) ? QR_IDENTITY_TYPES.word('PHONE') : null, identityNumber: null };
}

/** The user's profile, as both declaration forms send it. */
function profileFields(random: Random, person: Person): RawRecord {
  return {
    // Declarations made for someone else (a child, an elderly parent) carry no account.
    qid: random.chance(0.95) ? person.qid : null,
    fullName: person.fullName,
    ...identityFields(random, person),
    dateOfBirth: birthDateDdMmYyyy(person),
    gender: GENDER_CODES.word(person.gender),
  };
}

/** The app's keys for the symptoms; symptoms without a key of their own are sent as `other`. */
function symptomKeys(symptoms: readonly Symptom[]): string[] {
  return [...new Set(symptoms.map((symptom) => (SYMPTOM_KEYS.has(symptom) ? SYMPTOM_KEYS.word(symptom) : SYMPTOM_KEYS.word('OTHER'))))];
}

/** What the normalizer reads back from the keys. */
function symptomsOfKeys(keys: readonly string[]): Symptom[] {
  const read = new Set<Symptom | undefined>(keys.map((key) => SYMPTOM_KEYS.canonical(key)));
  return SYMPTOMS.filter((symptom) => read.has(symptom));
}

function answersFields(answers: HealthAnswers): RawRecord {
  return {
    symptoms: symptomKeys(answers.symptoms),
    contactWithCase: answers.contactWithCase,
    fromOutbreakArea: answers.fromOutbreakArea,
    contactWithSymptomatic: answers.contactWithSymptomatic,
  };
}

function renderHealth(context: RenderContext, facts: DeclarationFacts): Rendered<HealthDeclarationTruth> {
  const { random } = context;
  const { person } = facts;
  const occurredAt = facts.occurredAt;
  const home = person.home;
  const { vaccination } = facts;
  const nationality = random.chance(0.95) ? person.nationality : null;
  const symptoms = symptomKeys(facts.symptoms);
  const visited = facts.places.map((place) => place.locationQrId);
  const record = {
    id: `KBYT-${context.ids.uuid()}`,
    declarationType: facts.declarationType === 'WHOLE_POPULATION' && random.chance(0.1) ? null : DECLARATION_TYPES.codes.word(facts.declarationType),
    ...profileFields(random, person),
    nationality,
    phone: e164(person.phone),
    provinceCode: home.provinceCode,
    districtCode: home.district?.code ?? null,
    wardCode: home.ward?.code ?? null,
    addressDetail: home.line,
    ...answersFields(facts),
    visitedLocationIds: visited,
    vaccineDoses: vaccination.doses,
    lastVaccinatedAt: vaccination.lastDoseDay === null ? null : localMidnight(vaccination.lastDoseDay) + random.between(7 * 60, 17 * 60) * MINUTE_MS,
    declaredAt: occurredAt,
  };
  const truth = healthDeclarationTruth(SOURCE, facts, {
    occurredAt,
    person: personTruth(person, { nationality }),
    address: residenceTruth(home),
    symptoms: symptomsOfKeys(symptoms),
    placesVisited: visited,
  });
  return { record, truth };
}

/** Problems both declaration forms share: the profile's birth date and the submission time. */
const DECLARATION_PROBLEMS: Record<'impossible-date' | 'future-date' | 'birth-year-out-of-range' | 'cccd-birth-year-mismatch', ProblemApplier> = {
  'impossible-date': impossibleDateIn('dateOfBirth'),
  'future-date': futureDateIn('declaredAt', epochMs),
  'birth-year-out-of-range': outOfRangeBirthYearIn('dateOfBirth', 'date'),
  'cccd-birth-year-mismatch': mistypedBirthYearIn('dateOfBirth', 'date'),
};

const PCCOVID_HEALTH_DECLARATION = declarationSpec({
  source: SOURCE,
  accepts: () => true,
  canSay: (facts) => facts.symptoms.every((symptom) => SYMPTOM_KEYS.has(symptom)),
  pool: (people, problem) => (problem === 'cccd-birth-year-mismatch' ? people.withCccd : people.everyone),
  renderFacts: renderHealth,
  problems: {
    ...DECLARATION_PROBLEMS,
    'unknown-province': unknownProvinceCodeIn('provinceCode'),
  },
});

function renderMovement(context: RenderContext, person: Person): Rendered<MovementDeclarationTruth> {
  const { random } = context;
  const occurredAt = context.time;
  const trip = journey(random, person, occurredAt);
  const answers = healthAnswers(random, person);
  const symptoms = symptomKeys(answers.symptoms);
  const transportType = trip.privateVehicle ?? TRANSPORT_TYPES.word(trip.mode);
  const vehicleNumber = trip.vehicleCode === null ? null : typedVehicleCode(random, trip.vehicleCode);
  // The app sends local midnight of the chosen day unless a time was picked.
  const departureTime = localMidnight(trip.departureDay) + (random.chance(0.7) ? 0 : random.between(5, 22) * HOUR_MS);
  const record = {
    id: `KBDC-${context.ids.uuid()}`,
    ...profileFields(random, person),
    phone: e164(person.phone),
    transportType,
    vehicleNumber,
    seatNumber: trip.seat,
    departureProvinceCode: trip.origin.provinceCode,
    departurePlace: trip.origin.name,
    destinationProvinceCode: trip.destination.provinceCode,
    destinationPlace: trip.destination.name,
    departureTime,
    ...answersFields(answers),
    declaredAt: occurredAt,
  };
  const truth = movementDeclarationTruth(SOURCE, trip, answers, {
    occurredAt,
    // The movement form has no nationality field.
    person: personTruth(person, { nationality: null }),
    vehicleCode: vehicleNumber,
    symptoms: symptomsOfKeys(symptoms),
    // The movement form has no places question.
    placesVisited: [],
  });
  return { record, truth };
}

const PCCOVID_MOVEMENT_DECLARATION = movementDeclarationSpec({
  source: SOURCE,
  pool: (people, problem) => (problem === 'cccd-birth-year-mismatch' ? people.withCccd : people.everyone),
  render: renderMovement,
  problems: {
    ...DECLARATION_PROBLEMS,
    'unknown-province': unknownProvinceCodeIn('destinationProvinceCode'),
  },
});

function renderPassage(context: RenderContext): Rendered<CheckpointPassageTruth> {
  const { random } = context;
  const person = random.pick(context.people.everyone);
  const checkpoint = random.pick(SCANNABLE_CHECKPOINTS);
  const facts = passageFacts(random, person, checkpoint, context.time);
  // Officers scan most people; at some checkpoints people scan the posted code themselves.
  const method = random.chance(0.7) ? 'PERSONAL_QR' : 'LOCATION_QR';
  const byOfficer = method === 'PERSONAL_QR';
  const direction = random.chance(0.92) ? facts.direction : null;
  // Old app versions send no colour.
  const healthStatus = facts.health === 'UNKNOWN' && random.chance(0.3) ? null : PCCOVID_HEALTH_STATUSES.word(facts.health);
  const outcome = random.chance(byOfficer ? 0.95 : 0.15) ? facts.outcome : null;
  const vehiclePlate = byOfficer && facts.plate !== null ? typedVehicleCode(random, facts.plate) : null;
  const record = {
    scanId: `SC-${compactDate(facts.occurredAt)}-${checkpoint.provinceCode}-${context.ids.next('pccovid-scan', 8)}`,
    scanType: PCCOVID_SCAN_TYPES.word(method),
    locationId: checkpoint.locationQrId!,
    qrPayload: formatPersonalQr(personalQr(random, person)),
    phone: byOfficer ? null : e164(person.phone),
    scannedAt: facts.occurredAt,
    direction: direction === null ? null : PCCOVID_DIRECTIONS.word(direction),
    healthStatus,
    vehiclePlate,
    result: outcome === null ? null : PCCOVID_SCAN_RESULTS.word(outcome),
    deviceId: byOfficer ? `DV-${checkpoint.provinceCode}-${String(random.between(1, 400)).padStart(4, '0')}` : null,
  };
  const truth = checkpointPassageTruth(SOURCE, facts, { document: documentTruth(person), plate: vehiclePlate, direction, method, outcome });
  return { record, truth };
}

const PCCOVID_CHECKPOINT_PASSAGE: PairSpec = {
  source: SOURCE,
  kind: 'checkpoint-passage',
  render: (context) => renderPassage(context),
  problems: {
    'future-date': futureDateIn('scannedAt', epochMs),
    'malformed-qr-payload': malformedQrPayloadIn('qrPayload'),
  },
};

function renderReport(context: RenderContext): Rendered<CitizenReportTruth> {
  const { random } = context;
  const reporter = random.pick(context.people.everyone);
  const facts = reportFacts(random, context.time, REPORT_PROVINCES.pick(random));
  const anonymous = random.chance(0.35);
  // A few app versions send the profile even when the reporter asked to stay anonymous.
  const sendsContact = !anonymous || random.chance(0.03);
  const position = random.chance(0.7) ? positionIn(random, facts.provinceCode) : null;
  const local = localParts(facts.occurredAt);
  const record = {
    id: `PA-${local.year}-${String(local.month).padStart(2, '0')}-${context.ids.next('pccovid-report', 9)}`,
    reportType: REPORT_TYPES.word(facts.category),
    content: facts.text,
    provinceCode: facts.provinceCode,
    districtCode: facts.district?.code ?? null,
    wardCode: facts.ward?.code ?? null,
    address: facts.line,
    latitude: position?.latitude ?? null,
    longitude: position?.longitude ?? null,
    anonymous,
    reporterName: sendsContact ? reporter.fullName : null,
    reporterPhone: sendsContact ? e164(reporter.phone) : null,
    createdAt: facts.occurredAt,
  };
  const truth: CitizenReportTruth = {
    ...envelopeTruth('citizen-report', SOURCE, facts.occurredAt, facts.provinceCode),
    report_id: '',
    category: facts.category,
    text: facts.text,
    location: {
      province_code: facts.provinceCode,
      district_code: facts.district?.code ?? null,
      ward_code: facts.ward?.code ?? null,
      line: facts.line,
      coordinates: position,
    },
    channel: 'APP',
    reporter: anonymous ? null : { name: reporter.fullName, phone: e164(reporter.phone) },
    anonymous,
  };
  return { record, truth };
}

const PCCOVID_CITIZEN_REPORT: PairSpec = {
  source: SOURCE,
  kind: 'citizen-report',
  render: (context) => renderReport(context),
  problems: {
    'unknown-province': unknownProvinceCodeIn('provinceCode'),
    'future-date': futureDateIn('createdAt', epochMs),
  },
};

/** The renderers of pccovid, one per kind it publishes (the generator checks them against source.json). */
export const PAIR_SPECS: readonly PairSpec[] = [PCCOVID_HEALTH_DECLARATION, PCCOVID_MOVEMENT_DECLARATION, PCCOVID_CHECKPOINT_PASSAGE, PCCOVID_CITIZEN_REPORT, TEST_RESULT_SPEC];

/** Fields pccovid's users or integrators add by mistake (the generator's unknown-field defect). */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['appVersion', '4.2.1'], ['deviceModel', 'SM-A515F']];
