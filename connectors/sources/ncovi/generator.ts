/**
 * ncovi — the NCOVI app: health declarations in Vietnamese snake_case JSON, the name and places as
 * typed, the province as a name (any spelling), phone as typed, symptoms as lower-case words,
 * times dd/MM/yyyy HH:mm local.
 */
import { GENDER_WORDS } from '../../../services/source-vocabulary/gender.ts';
import { COUNTRY_NAMES } from '../../../services/source-vocabulary/nationalities.ts';
import { stripDiacritics } from '../../../services/source-vocabulary/text-key.ts';
import { personTruth, symptomWord } from '../../../services/generator/common-fields.ts';
import { declarationSpec, healthDeclarationTruth } from '../../../services/generator/declaration-spec.ts';
import type { DeclarationFacts } from '../../../services/generator/declarations.ts';
import { compactDate, formatDate, formatDateMinutes, localMidnight, MINUTE_MS, truncate } from '../../../services/generator/local-time.ts';
import type { PairSpec, RenderContext, Rendered } from '../../../services/generator/pair-spec.ts';
import type { Person } from '../../../services/generator/people.ts';
import { writePhone, type PhoneStyle } from '../../../services/generator/phones.ts';
import {
  futureDateIn, impossibleDateIn, invalidPhoneIn, mistypedBirthYearIn, outOfRangeBirthYearIn, unknownProvinceNameIn,
} from '../../../services/generator/problems.ts';
import { weighted, type Random } from '../../../services/generator/random.ts';
import type { HealthDeclarationTruth } from '../../../services/generator/truth.ts';
import { typedPersonName, typedProvinceName, typedUnitName } from '../../../services/generator/written-forms.ts';
import { DECLARATION_TYPES } from './vocabulary.ts';

/** How often ncovi's users write each phone style (free-text phone fields only). */
const PHONE_STYLE = weighted<PhoneStyle>({ local: 85, 'local-spaced': 5, international: 5, e164: 5 });

const SOURCE = 'ncovi';

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
    loai_to_khai: facts.declarationType === 'WHOLE_POPULATION' && random.chance(0.1) ? null : DECLARATION_TYPES.codes.word(facts.declarationType),
    ho_ten: fullName,
    so_cmnd: person.document?.number ?? null,
    nam_sinh: person.birthYear,
    gioi_tinh: genderWord(random, person),
    quoc_tich: person.nationality === 'VN' ? (random.chance(0.8) ? null : COUNTRY_NAMES.word('VN')) : COUNTRY_NAMES.word(person.nationality),
    so_dien_thoai: writePhone(person.phone, PHONE_STYLE.pick(random)),
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

const NCOVI_HEALTH_DECLARATION = declarationSpec({
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

/** The renderers of ncovi, one per kind it publishes (the generator checks them against source.json). */
export const PAIR_SPECS: readonly PairSpec[] = [NCOVI_HEALTH_DECLARATION];

/** Fields ncovi's users or integrators add by mistake (the generator's unknown-field defect). */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['so_cccd', '001089012345'], ['email', 'abc@gmail.com'], ['ma_tinh', '79']];
