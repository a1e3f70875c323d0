/**
 * vhd — tokhaiyte.vn / Vietnam Health Declaration: health and movement declarations, camelCase,
 * names in capitals, idCard typed without its type, GSO province codes, local times
 * dd/MM/yyyy HH:mm:ss, yes/no coded 1/2 and symptoms as `sign` 0/1 plus comma-separated words.
 * Nationality is left out by Vietnamese declarants.
 */
import type { Symptom } from '../../../schemas/kinds/canonical-values.ts';
import { GENDER_WORDS } from '../../../services/source-vocabulary/gender.ts';
import { SYMPTOM_WORDS } from '../../../services/source-vocabulary/symptoms.ts';
import { VHD_EXPOSURE_ANSWER, VHD_SIGN_ANSWER } from '../../../services/source-vocabulary/yes-no.ts';
import type { HealthDeclarationRecord } from '../../../schemas/kinds/health-declaration/record.ts';
import type { MovementDeclarationRecord } from '../../../schemas/kinds/movement-declaration/record.ts';
import type { Exposure, Person } from '../../../schemas/kinds/shared-records.ts';
import { declarationTypeOf, declaringPerson } from '../../../services/normalizer/mapping/declaration.ts';
import { envelope, keyedByPerson, type Declarant, type MappingRun, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { checkBirthYear } from '../../../services/normalizer/mapping/rules/birth-year.ts';
import { optionalCode, requiredCode, symptomsOf, yesNoAnswer } from '../../../services/normalizer/mapping/rules/enums.ts';
import { documentFromNumber, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { calendarDay, localFormat, localInstant, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { nationalityOf, VIETNAMESE } from '../../../services/normalizer/mapping/rules/nationality.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { requiredProvince, secondaryProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { commaSeparated, text } from '../../../services/normalizer/mapping/rules/text.ts';
import { vehicleCode } from '../../../services/normalizer/mapping/rules/vehicle-code.ts';
import { DECLARATION_TYPES, VEHICLE_LABELS } from './vocabulary.ts';

/** What both forms share (raw/*.avsc). */
interface VhdDeclaration {
  id: string;
  fullName: string;
  idCard: string;
  YoB: number;
  gender: string;
  nationality?: string | null;
  phone: string;
  placesVisited?: string | null;
  sign?: number | null;
  signDetail?: string | null;
  hasPatient?: number | null;
  hasFromSickCountry?: number | null;
  hasSick?: number | null;
  createdAt: string;
}

interface VhdHealthDeclaration extends VhdDeclaration {
  formType?: string | null;
  provinceId: string;
  districtId?: string | null;
  wardId?: string | null;
  address?: string | null;
  vaccineDoses?: number | null;
  lastVaccineDate?: string | null;
}

interface VhdMovementDeclaration extends VhdDeclaration {
  vehicle: string;
  flightCode?: string | null;
  seat?: string | null;
  startProvinceId: string;
  startPlace?: string | null;
  endProvinceId: string;
  endPlace?: string | null;
  startTime: string;
}

const CREATED_AT = localFormat('dd/MM/yyyy HH:mm:ss');
const DATE = localFormat('dd/MM/yyyy');

function nationality(value: VhdDeclaration, flags: QualityFlags): string | null {
  return nationalityOf(value.nationality, VIETNAMESE, flags);
}

function identify(value: VhdDeclaration, flags: QualityFlags): Identified {
  return { document: documentFromNumber(value.idCard, nationality(value, flags)), phone: phoneE164(value.phone, flags) };
}

function submittedAt({ value, context }: MappingRun<VhdDeclaration>): number {
  return notInFuture(localInstant(value.createdAt, CREATED_AT, 'createdAt').at, context.now, 'createdAt');
}

function person({ value, flags }: MappingRun<VhdDeclaration>, declarant: Declarant, occurredAt: number): Person {
  return declaringPerson(
    {
      fullName: value.fullName,
      identified: declarant.identified,
      birthYear: checkBirthYear(value.YoB, occurredAt, 'YoB'),
      gender: optionalCode(GENDER_WORDS, value.gender, QUALITY_FLAGS.genderUnknown, flags),
      nationality: nationality(value, flags),
    },
    flags,
  );
}

/** `signDetail` names the symptoms; a yes in `sign` without any named is a symptom all the same. */
function symptoms({ value, flags }: MappingRun<VhdDeclaration>): Symptom[] {
  const words = commaSeparated(value.signDetail);
  if (words.length > 0) return symptomsOf(words, SYMPTOM_WORDS);
  return yesNoAnswer(VHD_SIGN_ANSWER, value.sign, flags) === true ? ['OTHER'] : [];
}

function exposure({ value, flags }: MappingRun<VhdDeclaration>): Exposure {
  return {
    contact_with_case: yesNoAnswer(VHD_EXPOSURE_ANSWER, value.hasPatient, flags),
    from_outbreak_area: yesNoAnswer(VHD_EXPOSURE_ANSWER, value.hasFromSickCountry, flags),
    contact_with_symptomatic: yesNoAnswer(VHD_EXPOSURE_ANSWER, value.hasSick, flags),
    places_visited: commaSeparated(value.placesVisited),
  };
}

const HEALTH_DECLARATION = keyedByPerson<VhdHealthDeclaration, HealthDeclarationRecord>(identify, (run, declarant) => {
  const { input, value } = run;
  const occurredAt = submittedAt(run);
  const provinceCode = requiredProvince(value.provinceId, 'provinceId');
  const lastDose = text(value.lastVaccineDate);
  return {
    ...envelope('health-declaration', input, occurredAt, provinceCode, declarant.personKey),
    declaration_type: declarationTypeOf(value.formType, DECLARATION_TYPES),
    person: person(run, declarant, occurredAt),
    address: { province_code: provinceCode, district_code: text(value.districtId), ward_code: text(value.wardId), line: text(value.address) },
    symptoms: symptoms(run),
    exposure: exposure(run),
    vaccination: { doses: value.vaccineDoses ?? 0, last_dose_date: lastDose === null ? null : calendarDay(lastDose, DATE, 'lastVaccineDate') },
  };
});

const MOVEMENT_DECLARATION = keyedByPerson<VhdMovementDeclaration, MovementDeclarationRecord>(identify, (run, declarant) => {
  const { input, value, flags } = run;
  const occurredAt = submittedAt(run);
  const destination = requiredProvince(value.endProvinceId, 'endProvinceId');
  return {
    ...envelope('movement-declaration', input, occurredAt, destination, declarant.personKey),
    person: person(run, declarant, occurredAt),
    transport_mode: requiredCode(VEHICLE_LABELS, value.vehicle, 'vehicle'),
    vehicle_code: vehicleCode(value.flightCode),
    seat: text(value.seat),
    origin: { province_code: secondaryProvince(value.startProvinceId, flags), name: text(value.startPlace) },
    destination: { province_code: destination, name: text(value.endPlace) },
    departure_date: calendarDay(value.startTime, DATE, 'startTime'),
    symptoms: symptoms(run),
    exposure: exposure(run),
  };
});

export const MAPPINGS: SourceMappings = {
  'health-declaration': HEALTH_DECLARATION,
  'movement-declaration': MOVEMENT_DECLARATION,
};
