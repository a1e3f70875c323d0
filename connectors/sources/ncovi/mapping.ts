/**
 * ncovi — the NCOVI app: health declarations in Vietnamese snake_case, the province as a name in
 * any spelling, districts and wards as names (no codes: Truc has no register to code them with),
 * the document number typed without its type (absent for children, known by phone), symptoms as
 * Vietnamese words, local times dd/MM/yyyy HH:mm. Nationality is left out by Vietnamese declarants.
 */
import { GENDER_WORDS } from '../../../services/source-vocabulary/gender.ts';
import { SYMPTOM_WORDS } from '../../../services/source-vocabulary/symptoms.ts';
import type { HealthDeclarationRecord } from '../../../schemas/kinds/health-declaration/record.ts';
import { declarationTypeOf, declaringPerson } from '../../../services/normalizer/mapping/declaration.ts';
import { envelope, keyedByPerson, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { checkBirthYear } from '../../../services/normalizer/mapping/rules/birth-year.ts';
import { booleanAnswer, optionalCode, symptomsOf } from '../../../services/normalizer/mapping/rules/enums.ts';
import { documentFromNumber, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { calendarDay, localFormat, localInstant, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { nationalityOf, VIETNAMESE } from '../../../services/normalizer/mapping/rules/nationality.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { requiredProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text, texts } from '../../../services/normalizer/mapping/rules/text.ts';
import { DECLARATION_TYPES } from './vocabulary.ts';

/** raw/health-declaration.avsc */
interface NcoviHealthDeclaration {
  ma_to_khai: string;
  loai_to_khai?: string | null;
  ho_ten: string;
  so_cmnd?: string | null;
  nam_sinh: number;
  gioi_tinh: string;
  quoc_tich?: string | null;
  so_dien_thoai: string;
  tinh_thanh: string;
  quan_huyen?: string | null;
  phuong_xa?: string | null;
  dia_chi?: string | null;
  trieu_chung?: string[];
  tiep_xuc_ca_benh?: boolean | null;
  tiep_xuc_nguoi_tu_vung_dich?: boolean | null;
  tiep_xuc_nguoi_co_trieu_chung?: boolean | null;
  noi_da_den?: string[];
  so_mui_tiem?: number | null;
  ngay_tiem_gan_nhat?: string | null;
  thoi_gian_khai_bao: string;
}

const DECLARED_AT = localFormat('dd/MM/yyyy HH:mm');
const DATE = localFormat('dd/MM/yyyy');

function nationality(value: NcoviHealthDeclaration, flags: QualityFlags): string | null {
  return nationalityOf(value.quoc_tich, VIETNAMESE, flags);
}

function identify(value: NcoviHealthDeclaration, flags: QualityFlags): Identified {
  return { document: documentFromNumber(value.so_cmnd, nationality(value, flags)), phone: phoneE164(value.so_dien_thoai, flags) };
}

const HEALTH_DECLARATION = keyedByPerson<NcoviHealthDeclaration, HealthDeclarationRecord>(identify, ({ input, value, context, flags }, declarant) => {
  const occurredAt = notInFuture(localInstant(value.thoi_gian_khai_bao, DECLARED_AT, 'thoi_gian_khai_bao').at, context.now, 'thoi_gian_khai_bao');
  const provinceCode = requiredProvince(value.tinh_thanh, 'tinh_thanh');
  const lastDose = text(value.ngay_tiem_gan_nhat);
  const person = declaringPerson(
    {
      fullName: value.ho_ten,
      identified: declarant.identified,
      birthYear: checkBirthYear(value.nam_sinh, occurredAt, 'nam_sinh'),
      gender: optionalCode(GENDER_WORDS, value.gioi_tinh, QUALITY_FLAGS.genderUnknown, flags),
      nationality: nationality(value, flags),
    },
    flags,
  );
  return {
    ...envelope('health-declaration', input, occurredAt, provinceCode, declarant.personKey),
    declaration_type: declarationTypeOf(value.loai_to_khai, DECLARATION_TYPES),
    person,
    address: { province_code: provinceCode, district_code: null, ward_code: null, line: text(value.dia_chi) },
    symptoms: symptomsOf(texts(value.trieu_chung), SYMPTOM_WORDS),
    exposure: {
      contact_with_case: booleanAnswer(value.tiep_xuc_ca_benh),
      from_outbreak_area: booleanAnswer(value.tiep_xuc_nguoi_tu_vung_dich),
      contact_with_symptomatic: booleanAnswer(value.tiep_xuc_nguoi_co_trieu_chung),
      places_visited: texts(value.noi_da_den),
    },
    vaccination: { doses: value.so_mui_tiem ?? 0, last_dose_date: lastDose === null ? null : calendarDay(lastDose, DATE, 'ngay_tiem_gan_nhat') },
  };
});

export const MAPPINGS: SourceMappings = { 'health-declaration': HEALTH_DECLARATION };
