/**
 * ncovi — the NCOVI app: health declarations in Vietnamese snake_case JSON, the name and places as
 * typed, the province as a name (any spelling), phone as typed, symptoms as lower-case words,
 * times dd/MM/yyyy HH:mm local.
 */
import { DECLARATION_TYPE_CODES } from '../../source-vocabulary/declaration-types.ts';
import { GENDER_WORDS } from '../../source-vocabulary/gender.ts';
import { COUNTRY_NAMES } from '../../source-vocabulary/nationalities.ts';
import { stripDiacritics } from '../../source-vocabulary/text-key.ts';
import { personTruth, symptomWord } from '../common-fields.ts';
import { declarationSpec, healthDeclarationTruth } from '../declaration-spec.ts';
import type { DeclarationFacts } from '../declarations.ts';
import { compactDate, formatDate, formatDateMinutes, localMidnight, MINUTE_MS, truncate } from '../local-time.ts';
import type { RenderContext, Rendered } from '../pair-spec.ts';
import type { Person } from '../people.ts';
import { PHONE_STYLES, writePhone } from '../phones.ts';
import {
  futureDateIn, impossibleDateIn, invalidPhoneIn, mistypedBirthYearIn, outOfRangeBirthYearIn, unknownProvinceNameIn,
} from '../problems.ts';
import type { Random } from '../random.ts';
import type { HealthDeclarationTruth } from '../truth.ts';
import { typedPersonName, typedProvinceName, typedUnitName } from '../written-forms.ts';

const SOURCE = 'ncovi';
const FORM_TYPES = DECLARATION_TYPE_CODES.ncovi;

/** Nữ is sometimes typed Nu, Khác as Khac. */
function genderWord(random: Random, person: Person): string {
  const word = GENDER_WORDS.word(person.gender);
  return random.chance(0.2) ? stripDiacritics(word) : word;
}

function renderFacts(context: RenderContext, facts: DeclarationFacts): Rendered<HealthDeclarationTruth> {
  const { random } = context;
  const { person } = facts;
  const occurredAt = truncate(facts.occurredAt, MINUTE_MS);
  const home = person.home;
  const fullName = typedPersonName(random, person.fullName);
  const { vaccination } = facts;
  const places = facts.places.map((place) => place.text);
  const record = {
    ma_to_khai: `NCV-${compactDate(occurredAt)}-${context.ids.next('ncovi', 9)}`,
    // Early app versions had only the whole-population form and sent no type.
    loai_to_khai: facts.declarationType === 'WHOLE_POPULATION' && random.chance(0.1) ? null : FORM_TYPES.codes.word(facts.declarationType),
    ho_ten: fullName,
    so_cmnd: person.document?.number ?? null,
    nam_sinh: person.birthYear,
    gioi_tinh: genderWord(random, person),
    quoc_tich: person.nationality === 'VN' ? (random.chance(0.8) ? null : COUNTRY_NAMES.word('VN')) : COUNTRY_NAMES.word(person.nationality),
    so_dien_thoai: writePhone(person.phone, PHONE_STYLES.ncovi.pick(random)),
    tinh_thanh: typedProvinceName(random, home.provinceCode),
    quan_huyen: home.district ? typedUnitName(random, home.district.name) : null,
    phuong_xa: home.ward ? typedUnitName(random, home.ward.name) : null,
    dia_chi: home.line,
    trieu_chung: facts.symptoms.map((symptom) => symptomWord(random, symptom).toLowerCase()),
    tiep_xuc_ca_benh: facts.contactWithCase,
    tiep_xuc_nguoi_tu_vung_dich: facts.fromOutbreakArea,
    tiep_xuc_nguoi_co_trieu_chung: facts.contactWithSymptomatic,
    noi_da_den: places,
    so_mui_tiem: vaccination.doses,
    ngay_tiem_gan_nhat: vaccination.lastDoseDay === null ? null : formatDate(localMidnight(vaccination.lastDoseDay)),
    thoi_gian_khai_bao: formatDateMinutes(occurredAt),
  };
  const truth = healthDeclarationTruth(SOURCE, facts, {
    occurredAt,
    person: personTruth(person, { fullName }),
    // NCOVI writes districts and wards as names; Truc has no register to code them with.
    address: { province_code: home.provinceCode, district_code: null, ward_code: null, line: home.line },
    placesVisited: places,
  });
  return { record, truth };
}

export const NCOVI_HEALTH_DECLARATION = declarationSpec({
  source: SOURCE,
  accepts: () => true,
  // A mismatch needs a CCCD; an invalid phone needs a document, or nothing would identify the person.
  pool: (people, problem) => (problem === 'cccd-birth-year-mismatch' ? people.withCccd : problem === 'invalid-phone' ? people.withDocument : people.everyone),
  renderFacts,
  problems: {
    'unknown-province': unknownProvinceNameIn('tinh_thanh'),
    'impossible-date': impossibleDateIn('thoi_gian_khai_bao'),
    'future-date': futureDateIn('thoi_gian_khai_bao', formatDateMinutes),
    'birth-year-out-of-range': outOfRangeBirthYearIn('nam_sinh', 'year'),
    'cccd-birth-year-mismatch': mistypedBirthYearIn('nam_sinh', 'year'),
    'invalid-phone': invalidPhoneIn('so_dien_thoai'),
  },
});
