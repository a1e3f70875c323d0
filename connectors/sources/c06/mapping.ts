/**
 * c06 — the Ministry of Public Security's declaration system (dancuquocgia): citizens only, by
 * CCCD, with permanent, temporary and current residence as GSO-coded addresses (the declaration is
 * about the current one, which is the permanent one when left out), dates yyyy-MM-dd, times
 * ISO-8601 with offset. Its declarants are Vietnamese.
 */
import { GENDER_WORDS } from '../../../services/source-vocabulary/gender.ts';
import { SYMPTOM_WORDS } from '../../../services/source-vocabulary/symptoms.ts';
import type { HealthDeclarationRecord } from '../../../schemas/kinds/health-declaration/record.ts';
import { declarationTypeOf, declaringPerson } from '../../../services/normalizer/mapping/declaration.ts';
import { envelope, keyedByPerson, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { birthYearOfDate } from '../../../services/normalizer/mapping/rules/birth-year.ts';
import { booleanAnswer, optionalCode, symptomsOf } from '../../../services/normalizer/mapping/rules/enums.ts';
import { documentFromNumber, type Identified } from '../../../services/normalizer/mapping/rules/identity.ts';
import { calendarDay, instantWithOffset, localFormat, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { VIETNAMESE } from '../../../services/normalizer/mapping/rules/nationality.ts';
import { phoneE164 } from '../../../services/normalizer/mapping/rules/phone.ts';
import { requiredProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS, type QualityFlags } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text, texts } from '../../../services/normalizer/mapping/rules/text.ts';
import { DECLARATION_TYPES } from './vocabulary.ts';

/** The `DiaChi` record. */
interface C06Address {
  maTinh: string;
  maHuyen?: string | null;
  maXa?: string | null;
  chiTiet?: string | null;
}

/** raw/health-declaration.avsc */
interface C06HealthDeclaration {
  soHoSo: string;
  loaiToKhai?: string | null;
  soCCCD: string;
  hoVaTen: string;
  ngaySinh: string;
  gioiTinh: string;
  soDienThoai?: string | null;
  noiThuongTru: C06Address;
  noiTamTru?: C06Address | null;
  noiOHienTai?: C06Address | null;
  trieuChung?: string[];
  tiepXucCaBenh?: boolean | null;
  tiepXucNguoiTuVungDich?: boolean | null;
  tiepXucNguoiCoTrieuChung?: boolean | null;
  noiDaDen?: string[];
  soMuiTiem?: number | null;
  ngayTiemGanNhat?: string | null;
  thoiGianKhaiBao: string;
}

const DATE = localFormat('yyyy-MM-dd');

function identify(value: C06HealthDeclaration, flags: QualityFlags): Identified {
  return { document: documentFromNumber(value.soCCCD, VIETNAMESE), phone: phoneE164(value.soDienThoai, flags) };
}

const HEALTH_DECLARATION = keyedByPerson<C06HealthDeclaration, HealthDeclarationRecord>(identify, ({ input, value, context, flags }, declarant) => {
  const occurredAt = notInFuture(instantWithOffset(value.thoiGianKhaiBao, 'thoiGianKhaiBao'), context.now, 'thoiGianKhaiBao');
  const currentField = value.noiOHienTai ? 'noiOHienTai' : 'noiThuongTru';
  const current = value.noiOHienTai ?? value.noiThuongTru;
  const provinceCode = requiredProvince(current.maTinh, `${currentField}.maTinh`);
  const lastDose = text(value.ngayTiemGanNhat);
  const person = declaringPerson(
    {
      fullName: value.hoVaTen,
      identified: declarant.identified,
      birthYear: birthYearOfDate(value.ngaySinh, DATE, occurredAt, 'ngaySinh'),
      gender: optionalCode(GENDER_WORDS, value.gioiTinh, QUALITY_FLAGS.genderUnknown, flags),
      nationality: VIETNAMESE,
    },
    flags,
  );
  return {
    ...envelope('health-declaration', input, occurredAt, provinceCode, declarant.personKey),
    declaration_type: declarationTypeOf(value.loaiToKhai, DECLARATION_TYPES),
    person,
    address: { province_code: provinceCode, district_code: text(current.maHuyen), ward_code: text(current.maXa), line: text(current.chiTiet) },
    symptoms: symptomsOf(texts(value.trieuChung), SYMPTOM_WORDS),
    exposure: {
      contact_with_case: booleanAnswer(value.tiepXucCaBenh),
      from_outbreak_area: booleanAnswer(value.tiepXucNguoiTuVungDich),
      contact_with_symptomatic: booleanAnswer(value.tiepXucNguoiCoTrieuChung),
      places_visited: texts(value.noiDaDen),
    },
    vaccination: { doses: value.soMuiTiem ?? 0, last_dose_date: lastDose === null ? null : calendarDay(lastDose, DATE, 'ngayTiemGanNhat') },
  };
});

export const MAPPINGS: SourceMappings = { 'health-declaration': HEALTH_DECLARATION };
