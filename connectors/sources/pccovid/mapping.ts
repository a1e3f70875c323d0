/**
 * pccovid — the PC-Covid app: health and movement declarations from the user's profile (identity
 * typed as in the personal QR: CCCD, CMND, HC, or SDT for "no document, the phone stands in"),
 * checkpoint QR scans, and citizen reports ("Phản ánh"). GSO codes, E.164 phones, epoch
 * millisecond times, the app's own keys for symptoms, transport, scan results and report types.
 */
import { QR_IDENTITY_TYPES } from './vocabulary/identity-types.ts';
import { PCCOVID_DIRECTIONS, PCCOVID_HEALTH_STATUSES, PCCOVID_SCAN_RESULTS, PCCOVID_SCAN_TYPES } from './vocabulary/scan.ts';
import type { CheckpointPassageRecord } from '../../../schemas/kinds/checkpoint-passage/record.ts';
import type { CitizenReportRecord } from '../../../schemas/kinds/citizen-report/record.ts';
import type { HealthDeclarationRecord } from '../../../schemas/kinds/health-declaration/record.ts';
import type { MovementDeclarationRecord } from '../../../schemas/kinds/movement-declaration/record.ts';
import type { Exposure, Person } from '../../../schemas/kinds/shared-records.ts';
import { declarationTypeOf, declaringPerson } from '../../../services/normalizer/mapping/declaration.ts';
import { envelope, keyedBy, keyedByPerson, type Declarant, type MappingRun, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { reporterKey, reporterOf, reportId } from '../../../services/normalizer/mapping/report.ts';
import { birthYearOfDate } from '../../../services/normalizer/mapping/rules/birth-year.ts';
import { coordinatesOfNumbers } from '../../../services/normalizer/mapping/rules/coordinates.ts';
import { booleanAnswer, optionalCode, requiredCode, symptomsOf } from '../../../services/normalizer/mapping/rules/enums.ts';
import { documentOfType, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { localDayOf, localFormat, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { nationalityOf } from '../../../services/normalizer/mapping/rules/nationality.ts';
import { identifiedByQr } from '../../../services/normalizer/mapping/rules/personal-qr.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { requiredProvince, secondaryProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text, texts } from '../../../services/normalizer/mapping/rules/text.ts';
import { vehicleCode } from '../../../services/normalizer/mapping/rules/vehicle-code.ts';
import { DECLARATION_TYPES, GENDER_CODES, REPORT_TYPES, SYMPTOM_KEYS, TRANSPORT_TYPES } from './vocabulary/app-codes.ts';
import { TEST_RESULT } from './test-result-mapping.ts';

/** The profile and 14-day answers both declaration forms send (raw/*-declaration.avsc). */
interface PccovidDeclaration {
  id: string;
  qid?: string | null;
  fullName: string;
  identityType?: string | null;
  identityNumber?: string | null;
  dateOfBirth: string;
  gender?: number | null;
  phone: string;
  symptoms?: string[];
  contactWithCase?: boolean | null;
  fromOutbreakArea?: boolean | null;
  contactWithSymptomatic?: boolean | null;
  declaredAt: number;
}

interface PccovidHealthDeclaration extends PccovidDeclaration {
  declarationType?: string | null;
  nationality?: string | null;
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
  addressDetail?: string | null;
  visitedLocationIds?: string[];
  vaccineDoses?: number | null;
  lastVaccinatedAt?: number | null;
}

interface PccovidMovementDeclaration extends PccovidDeclaration {
  transportType: string;
  vehicleNumber?: string | null;
  seatNumber?: string | null;
  departureProvinceCode: string;
  departurePlace?: string | null;
  destinationProvinceCode: string;
  destinationPlace?: string | null;
  departureTime: number;
}

/** raw/checkpoint-passage.avsc */
interface PccovidScan {
  scanId: string;
  scanType: string;
  locationId: string;
  qrPayload: string;
  phone?: string | null;
  scannedAt: number;
  direction?: string | null;
  healthStatus?: string | null;
  vehiclePlate?: string | null;
  result?: string | null;
  deviceId?: string | null;
}

/** raw/citizen-report.avsc */
interface PccovidReport {
  id: string;
  reportType: string;
  content: string;
  provinceCode: string;
  districtCode?: string | null;
  wardCode?: string | null;
  address?: string | null;
  latitude?: number | null;
  longitude?: number | null;
  anonymous?: boolean;
  reporterName?: string | null;
  reporterPhone?: string | null;
  createdAt: number;
}

const BIRTH_DATE = localFormat('dd/MM/yyyy');

/** The profile's identity: its document; none with SDT or without an identity type (the phone stands in). */
function identifyDeclarant(value: PccovidDeclaration, flags: QualityFlags): Identified {
  const phone = phoneE164(value.phone, flags);
  if (value.identityType === null || value.identityType === undefined) return { document: null, phone };
  const type = requiredCode(QR_IDENTITY_TYPES, value.identityType, 'identityType');
  const number = text(value.identityNumber);
  return { document: type === 'PHONE' || number === null ? null : documentOfType(type, number), phone };
}

function person({ value, flags }: MappingRun<PccovidDeclaration>, declarant: Declarant, occurredAt: number, nationality: string | null): Person {
  return declaringPerson(
    {
      fullName: value.fullName,
      identified: declarant.identified,
      birthYear: birthYearOfDate(value.dateOfBirth, BIRTH_DATE, occurredAt, 'dateOfBirth'),
      gender: optionalCode(GENDER_CODES, value.gender, QUALITY_FLAGS.genderUnknown, flags),
      nationality,
    },
    flags,
  );
}

function exposure(value: PccovidDeclaration, placesVisited: string[]): Exposure {
  return {
    contact_with_case: booleanAnswer(value.contactWithCase),
    from_outbreak_area: booleanAnswer(value.fromOutbreakArea),
    contact_with_symptomatic: booleanAnswer(value.contactWithSymptomatic),
    places_visited: placesVisited,
  };
}

const HEALTH_DECLARATION = keyedByPerson<PccovidHealthDeclaration, HealthDeclarationRecord>(identifyDeclarant, (run, declarant) => {
  const { input, value, context, flags } = run;
  const occurredAt = notInFuture(value.declaredAt, context.now, 'declaredAt');
  const provinceCode = requiredProvince(value.provinceCode, 'provinceCode');
  return {
    ...envelope('health-declaration', input, occurredAt, provinceCode, declarant.personKey),
    declaration_type: declarationTypeOf(value.declarationType, DECLARATION_TYPES),
    // PC-Covid says nothing about a nationality left out of the profile.
    person: person(run, declarant, occurredAt, nationalityOf(value.nationality, null, flags)),
    address: { province_code: provinceCode, district_code: text(value.districtCode), ward_code: text(value.wardCode), line: text(value.addressDetail) },
    symptoms: symptomsOf(texts(value.symptoms), SYMPTOM_KEYS),
    exposure: exposure(value, texts(value.visitedLocationIds)),
    vaccination: {
      doses: value.vaccineDoses ?? 0,
      last_dose_date: value.lastVaccinatedAt === null || value.lastVaccinatedAt === undefined ? null : localDayOf(value.lastVaccinatedAt),
    },
  };
});

const MOVEMENT_DECLARATION = keyedByPerson<PccovidMovementDeclaration, MovementDeclarationRecord>(identifyDeclarant, (run, declarant) => {
  const { input, value, context, flags } = run;
  const occurredAt = notInFuture(value.declaredAt, context.now, 'declaredAt');
  const destination = requiredProvince(value.destinationProvinceCode, 'destinationProvinceCode');
  return {
    ...envelope('movement-declaration', input, occurredAt, destination, declarant.personKey),
    // The movement form has no nationality field.
    person: person(run, declarant, occurredAt, null),
    transport_mode: requiredCode(TRANSPORT_TYPES, value.transportType, 'transportType'),
    vehicle_code: vehicleCode(value.vehicleNumber),
    seat: text(value.seatNumber),
    origin: { province_code: secondaryProvince(value.departureProvinceCode, flags), name: text(value.departurePlace) },
    destination: { province_code: destination, name: text(value.destinationPlace) },
    // The app sends local midnight of the chosen day, or a time on it.
    departure_date: localDayOf(value.departureTime),
    symptoms: symptomsOf(texts(value.symptoms), SYMPTOM_KEYS),
    // The movement form has no places question.
    exposure: exposure(value, []),
  };
});

/** Both scan types carry the person's personal QR: scanned by the officer, or attached by the person's app. */
function identifyScanned(value: PccovidScan, flags: QualityFlags): Identified {
  return identifiedByQr(value.qrPayload, 'qrPayload', flags);
}

const CHECKPOINT_PASSAGE = keyedByPerson<PccovidScan, CheckpointPassageRecord>(identifyScanned, ({ input, value, context, flags }, declarant) => {
  const passedAt = notInFuture(value.scannedAt, context.now, 'scannedAt');
  const locationQrId = value.locationId.trim();
  return {
    // The checkpoint's province, with its name and type, comes from the registry (the engine copies them).
    ...envelope('checkpoint-passage', input, passedAt, null, declarant.personKey),
    // A location QR the registry does not know (yet) stands for its checkpoint.
    checkpoint_id: context.checkpointIdOfLocationQr(locationQrId) ?? locationQrId,
    checkpoint_name: null,
    checkpoint_type: null,
    checkpoint_province_code: null,
    document: declarant.identified.document,
    vehicle_plate: vehicleCode(value.vehiclePlate),
    direction: optionalCode(PCCOVID_DIRECTIONS, value.direction, QUALITY_FLAGS.directionUnknown, flags),
    passed_at: passedAt,
    identification_method: requiredCode(PCCOVID_SCAN_TYPES, value.scanType, 'scanType'),
    // No colour (old app versions) and an unknown one both leave the status unknown.
    health_status: optionalCode(PCCOVID_HEALTH_STATUSES, value.healthStatus, QUALITY_FLAGS.healthStatusUnknown, flags) ?? 'UNKNOWN',
    outcome: optionalCode(PCCOVID_SCAN_RESULTS, value.result, QUALITY_FLAGS.outcomeUnknown, flags),
  };
});

const CITIZEN_REPORT = keyedBy<PccovidReport, CitizenReportRecord>(reportId, ({ input, value, context, flags }) => {
  const occurredAt = notInFuture(value.createdAt, context.now, 'createdAt');
  const provinceCode = requiredProvince(value.provinceCode, 'provinceCode');
  const category = optionalCode(REPORT_TYPES, value.reportType, QUALITY_FLAGS.categoryUnmapped, flags) ?? 'OTHER';
  // The app sends the profile of reporters who asked to stay anonymous now and then: it is dropped.
  const reporter = reporterOf(value.anonymous === true ? null : { name: value.reporterName, phone: value.reporterPhone }, flags);
  return {
    ...envelope('citizen-report', input, occurredAt, provinceCode, reporterKey(reporter, context.personKey)),
    report_id: reportId(input),
    category,
    text: value.content,
    location: {
      province_code: provinceCode,
      district_code: text(value.districtCode),
      ward_code: text(value.wardCode),
      line: text(value.address),
      coordinates: coordinatesOfNumbers(value.latitude, value.longitude, flags),
    },
    channel: 'APP',
    reporter,
    anonymous: reporter === null,
  };
});

export const MAPPINGS: SourceMappings = {
  'health-declaration': HEALTH_DECLARATION,
  'movement-declaration': MOVEMENT_DECLARATION,
  'checkpoint-passage': CHECKPOINT_PASSAGE,
  'citizen-report': CITIZEN_REPORT,
  'test-result': TEST_RESULT,
};
