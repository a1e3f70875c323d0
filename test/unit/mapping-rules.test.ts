/**
 * The normalisation rules of the normalizer's mappings, case by case: provinces, phones, identity
 * documents and their CCCD check, local times, birth years, enums, vehicle codes, coordinates,
 * nationalities and the personal QR.
 */
import { describe, expect, it } from 'vitest';
import { GENDER_WORDS } from '../../services/source-vocabulary/gender.ts';
import { SYMPTOM_WORDS } from '../../services/source-vocabulary/symptoms.ts';
import { VEHICLE_LABELS as VHD_VEHICLE_LABELS } from '../../connectors/sources/vhd/vocabulary.ts';
import { VHD_EXPOSURE_ANSWER } from '../../services/source-vocabulary/yes-no.ts';
import { declaringPerson } from '../../services/normalizer/mapping/declaration.ts';
import { birthYearOfDate, checkBirthYear } from '../../services/normalizer/mapping/rules/birth-year.ts';
import { coordinatesOfCells } from '../../services/normalizer/mapping/rules/coordinates.ts';
import { optionalCode, requiredCode, symptomsOf, yesNoAnswer } from '../../services/normalizer/mapping/rules/enums.ts';
import { documentFromNumber, documentOfType, personIdentity } from '../../services/normalizer/mapping/rules/identity.ts';
import {
  calendarDay, FUTURE_TOLERANCE_MS, instantWithOffset, localDayOf, localFormat, localInstant, localInstantIn, notInFuture,
} from '../../services/normalizer/mapping/rules/local-time.ts';
import { nationalityOf } from '../../services/normalizer/mapping/rules/nationality.ts';
import { identifiedByQr } from '../../services/normalizer/mapping/rules/personal-qr.ts';
import { phoneE164 } from '../../services/normalizer/mapping/rules/phone.ts';
import { MappingProblem } from '../../services/normalizer/mapping/rules/problem.ts';
import { provinceCodeOf, requiredProvince, secondaryProvince } from '../../services/normalizer/mapping/rules/province.ts';
import { QualityFlags } from '../../services/normalizer/mapping/rules/quality-flags.ts';
import { vehicleCode } from '../../services/normalizer/mapping/rules/vehicle-code.ts';

/** The failure a rule throws, as `mapRecord` would report it. */
function failureOf(read: () => unknown): { errorClass: string; path: string } | null {
  try {
    read();
    return null;
  } catch (error) {
    if (!(error instanceof MappingProblem)) throw error;
    return { errorClass: error.failure.errorClass, path: error.failure.path };
  }
}

/** A rule's result with the flags it raised. */
function withFlags<T>(read: (flags: QualityFlags) => T): { value: T; flags: string[] } {
  const flags = new QualityFlags();
  const value = read(flags);
  return { value, flags: flags.list() };
}

describe('province rule', () => {
  it.each([
    ['01', '01'], ['1', '01'], [' 79 ', '79'], ['96', '96'],
    ['Hà Nội', '01'], ['Ha Noi', '01'], ['HA NOI', '01'], ['ha  noi ', '01'], ['HN', '01'], ['Thủ đô Hà Nội', '01'],
    ['Hồ Chí Minh', '79'], ['ho chi minh', '79'], ['TP HCM', '79'], ['TPHCM', '79'], ['Tp.HCM', '79'], ['TP. Hồ Chí Minh', '79'],
    ['Thành phố Hồ Chí Minh', '79'], ['Sài Gòn', '79'], ['Sai Gon', '79'],
    ['Thừa Thiên Huế', '46'], ['Thừa Thiên - Huế', '46'], ['Thua Thien-Hue', '46'], ['TT Huế', '46'],
    ['Bà Rịa - Vũng Tàu', '77'], ['BR-VT', '77'], ['Ba Ria Vung Tau', '77'],
    ['Tỉnh Bình Dương', '74'], ['tinh binh duong', '74'], ['Đắk Lắk', '66'], ['Dak Lak', '66'], ['Khánh Hoà', '56'], ['Khánh Hòa', '56'],
  ])('reads %j as %s', (written, code) => {
    expect(provinceCodeOf(written)).toBe(code);
    expect(requiredProvince(written, 'tinh_thanh')).toBe(code);
  });

  it.each(['Sông Bé', 'Hà Sơn Bình', '03', '99', '00', '101', 'Atlantis', ''])('fails the record on %j where the record is about that province', (written) => {
    expect(failureOf(() => requiredProvince(written, 'tinh_thanh'))).toEqual({ errorClass: 'UnknownProvince', path: 'tinh_thanh' });
  });

  it('leaves a secondary province null with a flag when it names none, and null without one when none was written', () => {
    expect(withFlags((flags) => secondaryProvince('Minh Hải', flags))).toEqual({ value: null, flags: ['PROVINCE_UNKNOWN'] });
    expect(withFlags((flags) => secondaryProvince('48', flags))).toEqual({ value: '48', flags: [] });
    expect(withFlags((flags) => secondaryProvince(null, flags))).toEqual({ value: null, flags: [] });
  });
});

describe('phone rule', () => {
  it.each([
    '0912345678', '0912 345 678', '0912.345.678', '0912-345-678', '84912345678', '+84912345678', '+84 912 345 678', ' +84.912.345.678 ',
  ])('reads %j as +84912345678', (written) => {
    expect(withFlags((flags) => phoneE164(written, flags))).toEqual({ value: '+84912345678', flags: [] });
  });

  it.each([
    ['an old 11-digit 01x number', '01234567890'],
    ['a digit missing', '091234567'],
    ['a digit too many', '09123456789'],
    ['a landline', '02438256789'],
    ['an unused network prefix', '0212345678'],
    ['84 with a digit too many', '849123456789'],
    ['another country', '+6591234567'],
    ['no number at all', 'không có'],
  ])('makes %s null and flags it', (_case, written) => {
    expect(withFlags((flags) => phoneE164(written, flags))).toEqual({ value: null, flags: ['PHONE_INVALID'] });
  });

  it.each([null, undefined, '', '   '])('leaves no phone (%j) null without a flag', (written) => {
    expect(withFlags((flags) => phoneE164(written, flags))).toEqual({ value: null, flags: [] });
  });
});

describe('identity rule', () => {
  it.each([
    ['001089012345', null, { type: 'CCCD', number: '001089012345' }],
    ['001 089 012 345', 'VN', { type: 'CCCD', number: '001089012345' }],
    ['001.089.012.345', 'VN', { type: 'CCCD', number: '001089012345' }],
    ['001-089-012-345', 'VN', { type: 'CCCD', number: '001089012345' }],
    ['123456789', 'VN', { type: 'CMND', number: '123456789' }],
    ['123 456 789', 'VN', { type: 'CMND', number: '123456789' }],
    ['C1234567', 'VN', { type: 'PASSPORT', number: 'C1234567' }],
    ['c1234567', null, { type: 'PASSPORT', number: 'C1234567' }],
    ['TK1234567', 'JP', { type: 'PASSPORT', number: 'TK1234567' }],
    // Foreigners declare with their passport, whatever its shape.
    ['123456789', 'US', { type: 'PASSPORT', number: '123456789' }],
    ['12345678', 'VN', { type: 'OTHER', number: '12345678' }],
    ['GPLX-790123456789AB', 'VN', { type: 'OTHER', number: 'GPLX790123456789AB' }],
  ])('reads %j (nationality %s) as %j', (written, nationality, document) => {
    expect(documentFromNumber(written, nationality)).toEqual(document);
  });

  it('reads no document from nothing written', () => {
    expect(documentFromNumber(null, 'VN')).toBeNull();
    expect(documentFromNumber('  ', 'VN')).toBeNull();
  });

  it('keeps a stated type and normalises the number', () => {
    expect(documentOfType('CCCD', '079 088 001 234')).toEqual({ type: 'CCCD', number: '079088001234' });
    expect(documentOfType('PASSPORT', 'b1234567')).toEqual({ type: 'PASSPORT', number: 'B1234567' });
  });

  it('identifies by the document, else by the phone, else not at all', () => {
    const document = { type: 'CMND', number: '123456789' } as const;
    expect(personIdentity({ document, phone: '+84912345678' })).toEqual({ document });
    expect(personIdentity({ document: null, phone: '+84912345678' })).toEqual({ phone: '+84912345678' });
    expect(personIdentity({ document: null, phone: null })).toBeNull();
  });

  // 001089012345: registered in Hà Nội (01), digit 4 = 0 (born in the 1900s, male), born in 1989.
  const cccd = { type: 'CCCD', number: '001089012345' } as const;
  it.each([
    ['agrees with the CCCD', 1989, 'MALE', []],
    ['mistypes the birth year', 1990, 'MALE', ['CCCD_BIRTH_YEAR_MISMATCH']],
    ['declares the other sex', 1989, 'FEMALE', ['CCCD_GENDER_MISMATCH']],
    ['declares OTHER (nothing to compare)', 1989, 'OTHER', []],
    ['disagrees on both', 1987, 'FEMALE', ['CCCD_BIRTH_YEAR_MISMATCH', 'CCCD_GENDER_MISMATCH']],
  ] as const)('keeps a declaration that %s as declared, flagged where it disagrees', (_case, birthYear, gender, expected) => {
    const { value, flags } = withFlags((found) =>
      declaringPerson({ fullName: 'NGUYỄN VĂN AN', identified: { document: cccd, phone: null }, birthYear, gender, nationality: 'VN' }, found),
    );
    expect(value).toMatchObject({ birth_year: birthYear, gender, document: cccd });
    expect(flags).toEqual(expected);
  });

  it('checks only CCCDs against the birth year (a CMND encodes none)', () => {
    const { flags } = withFlags((found) =>
      declaringPerson({ fullName: 'A', identified: { document: { type: 'CMND', number: '123456789' }, phone: null }, birthYear: 1950, gender: 'MALE', nationality: 'VN' }, found),
    );
    expect(flags).toEqual([]);
  });
});

describe('personal QR rule', () => {
  it('reads the document of a CCCD, CMND or passport payload', () => {
    expect(withFlags((flags) => identifiedByQr('079088001234|Đỗ Văn Hùng|12/04/1988|CCCD|QH3P8R1ZK7|', 'qrPayload', flags)).value)
      .toEqual({ document: { type: 'CCCD', number: '079088001234' }, phone: null });
    expect(withFlags((flags) => identifiedByQr('B1234567|Lê Thị Mai|01/01/1960|HC|QH3P8R1ZK7|2', 'qrPayload', flags)).value)
      .toEqual({ document: { type: 'PASSPORT', number: 'B1234567' }, phone: null });
  });

  it('reads the phone of an SDT payload (no document)', () => {
    expect(withFlags((flags) => identifiedByQr('0912345678|Trần Bé Na|03/05/2012|SDT|QH3P8R1ZK7|', 'qrContent', flags)).value)
      .toEqual({ document: null, phone: '+84912345678' });
  });

  it.each([
    ['parts missing', '079088001234|Đỗ Văn Hùng|12/04/1988'],
    ['another separator', '079088001234;Đỗ Văn Hùng;12/04/1988;CCCD;QH3P8R1ZK7;'],
    ['a date in another shape', '079088001234|Đỗ Văn Hùng|1988-04-12|CCCD|QH3P8R1ZK7|'],
    ['an unknown identity type', '079088001234|Đỗ Văn Hùng|12/04/1988|XX|QH3P8R1ZK7|'],
    ['not a personal QR', 'https://tokhaiyte.vn/qr/QH3P8R1ZK7'],
    ['nothing', null],
  ])('fails on %s', (_case, payload) => {
    expect(failureOf(() => identifiedByQr(payload, 'qrContent', new QualityFlags()))).toEqual({ errorClass: 'MalformedQrPayload', path: 'qrContent' });
  });
});

describe('local time rule', () => {
  const minutes = localFormat('dd/MM/yyyy HH:mm');
  const seconds = localFormat('dd/MM/yyyy HH:mm:ss');
  const date = localFormat('dd/MM/yyyy');
  const isoLocal = localFormat('yyyy-MM-dd HH:mm:ss');

  it.each([
    ['15/08/2021 00:30', minutes, '2021-08-14T17:30:00Z'],
    ['15/08/2021 07:00', minutes, '2021-08-15T00:00:00Z'],
    ['01/01/2021 06:59:59', seconds, '2020-12-31T23:59:59Z'],
    ['14/08/2021 09:35:12', seconds, '2021-08-14T02:35:12Z'],
    ['2021-08-15 00:30:00', isoLocal, '2021-08-14T17:30:00Z'],
    ['15/08/2021', date, '2021-08-14T17:00:00Z'],
    ['29/02/2020 12:00', minutes, '2020-02-29T05:00:00Z'],
  ])('reads local %j as %s', (written, format, utc) => {
    expect(localInstant(written, format, 'createdAt').at).toBe(Date.parse(utc));
  });

  it.each([
    ['2021-08-15T00:30:00+07:00', '2021-08-14T17:30:00Z'],
    ['2021-08-15T00:30:00+0700', '2021-08-14T17:30:00Z'],
    ['2021-08-14T17:30:00Z', '2021-08-14T17:30:00Z'],
    ['2021-08-14T17:30:00.250Z', '2021-08-14T17:30:00.250Z'],
    ['2021-08-14T12:30:00-05:00', '2021-08-14T17:30:00Z'],
  ])('reads %j with its offset as %s', (written, utc) => {
    expect(instantWithOffset(written, 'thoiGianKhaiBao')).toBe(Date.parse(utc));
  });

  it('reads dates as days since 1970-01-01, a leap day included', () => {
    expect(calendarDay('01/01/1970', date, 'startTime')).toBe(0);
    expect(calendarDay('16/08/2021', date, 'startTime')).toBe(Date.UTC(2021, 7, 16) / 86_400_000);
    expect(calendarDay('29/02/2020', date, 'startTime')).toBe(Date.UTC(2020, 1, 29) / 86_400_000);
    expect(calendarDay('29/02/2000', date, 'startTime')).toBe(Date.UTC(2000, 1, 29) / 86_400_000);
  });

  it('takes the local day of an instant: 00:30 local is the local day, though UTC is still on the day before', () => {
    expect(localDayOf(Date.parse('2021-08-14T17:30:00Z'))).toBe(Date.UTC(2021, 7, 15) / 86_400_000);
    expect(localDayOf(Date.parse('2021-08-14T16:59:59Z'))).toBe(Date.UTC(2021, 7, 14) / 86_400_000);
  });

  it.each([
    ['29/02/2021', date], ['30/02/2020', date], ['31/02/2021 10:00', minutes], ['31/04/2021', date], ['00/08/2021', date],
    ['15/13/2021', date], ['15/00/2021', date], ['15/08/2021 24:00', minutes], ['15/08/2021 23:60', minutes], ['15/08/2021 10:00:60', seconds],
    ['29/02/1900', date],
  ])('fails on the impossible %j', (written, format) => {
    expect(failureOf(() => localInstant(written, format, 'createdAt'))).toEqual({ errorClass: 'ImpossibleDate', path: 'createdAt' });
  });

  it('fails on an impossible date with an offset', () => {
    expect(failureOf(() => instantWithOffset('2021-02-30T10:00:00+07:00', 'thoiGianKhaiBao'))).toEqual({ errorClass: 'ImpossibleDate', path: 'thoiGianKhaiBao' });
  });

  it.each([
    ['2021-08-15', date], ['15/08/2021', minutes], ['15/8/2021', date], ['15/08/21', date], ['hôm qua', date], ['15/08/2021 9:05', minutes],
  ])('fails on %j, not in the format', (written, format) => {
    expect(failureOf(() => localInstant(written, format, 'createdAt'))).toEqual({ errorClass: 'MalformedDate', path: 'createdAt' });
  });

  it('reads the first of several formats that fits', () => {
    const formats = [minutes, date];
    expect(localInstantIn('19/07/2021', formats, 'hieu_luc_tu')).toEqual({ at: Date.parse('2021-07-18T17:00:00Z'), hasTime: false });
    expect(localInstantIn('19/07/2021 18:00', formats, 'hieu_luc_tu')).toEqual({ at: Date.parse('2021-07-19T11:00:00Z'), hasTime: true });
    expect(failureOf(() => localInstantIn('2021-07-19', formats, 'hieu_luc_tu'))).toEqual({ errorClass: 'MalformedDate', path: 'hieu_luc_tu' });
  });

  it('fails a record time later than now beyond the tolerance', () => {
    const now = Date.parse('2021-08-15T00:00:00Z');
    expect(notInFuture(now - 86_400_000, now, 'createdAt')).toBe(now - 86_400_000);
    expect(notInFuture(now + FUTURE_TOLERANCE_MS, now, 'createdAt')).toBe(now + FUTURE_TOLERANCE_MS);
    expect(failureOf(() => notInFuture(now + FUTURE_TOLERANCE_MS + 1, now, 'createdAt'))).toEqual({ errorClass: 'FutureDate', path: 'createdAt' });
    expect(failureOf(() => notInFuture(now + 20 * 365 * 86_400_000, now, 'declaredAt'))).toEqual({ errorClass: 'FutureDate', path: 'declaredAt' });
  });
});

describe('birth year rule', () => {
  const declaredAt = Date.parse('2021-08-14T02:35:12Z');
  // 31 December 2021 18:00 UTC is already 2022 in Vietnam.
  const newYearsNight = Date.parse('2021-12-31T18:00:00Z');

  it.each([
    [1900, declaredAt], [1989, declaredAt], [2021, declaredAt], [2022, newYearsNight],
  ])('accepts %i', (year, at) => {
    expect(checkBirthYear(year, at, 'YoB')).toBe(year);
  });

  it.each([
    [1850, declaredAt], [1899, declaredAt], [2022, declaredAt], [2024, declaredAt], [0, declaredAt],
  ])('fails on %i', (year, at) => {
    expect(failureOf(() => checkBirthYear(year, at, 'YoB'))).toEqual({ errorClass: 'BirthYearOutOfRange', path: 'YoB' });
  });

  const ddMMyyyy = localFormat('dd/MM/yyyy');
  const isoDate = localFormat('yyyy-MM-dd');

  it('reads the year of a date of birth, and of a year-only C06 date', () => {
    expect(birthYearOfDate('25/06/1995', ddMMyyyy, declaredAt, 'dateOfBirth')).toBe(1995);
    expect(birthYearOfDate('29/02/2000', ddMMyyyy, declaredAt, 'dateOfBirth')).toBe(2000);
    expect(birthYearOfDate('1942-00-00', isoDate, declaredAt, 'ngaySinh')).toBe(1942);
  });

  it('reports a wrong year as such, even when the day does not exist in it', () => {
    expect(failureOf(() => birthYearOfDate('29/02/1850', ddMMyyyy, declaredAt, 'dateOfBirth'))).toEqual({ errorClass: 'BirthYearOutOfRange', path: 'dateOfBirth' });
    expect(failureOf(() => birthYearOfDate('12/04/2023', ddMMyyyy, declaredAt, 'dateOfBirth'))).toEqual({ errorClass: 'BirthYearOutOfRange', path: 'dateOfBirth' });
  });

  it('fails on an impossible date of birth in a possible year', () => {
    expect(failureOf(() => birthYearOfDate('30/02/1990', ddMMyyyy, declaredAt, 'dateOfBirth'))).toEqual({ errorClass: 'ImpossibleDate', path: 'dateOfBirth' });
    expect(failureOf(() => birthYearOfDate('29/02/2021', ddMMyyyy, declaredAt, 'dateOfBirth'))).toEqual({ errorClass: 'ImpossibleDate', path: 'dateOfBirth' });
    expect(failureOf(() => birthYearOfDate('1990-04-00', isoDate, declaredAt, 'ngaySinh'))).toEqual({ errorClass: 'ImpossibleDate', path: 'ngaySinh' });
  });
});

describe('enum rules', () => {
  it.each([
    ['Nam', 'MALE'], ['Nu', 'FEMALE'], ['Nữ', 'FEMALE'], ['NỮ', 'FEMALE'], ['Khac', 'OTHER'], ['khác', 'OTHER'],
  ])('reads the gender %j as %s', (written, gender) => {
    expect(withFlags((flags) => optionalCode(GENDER_WORDS, written, 'GENDER_UNKNOWN', flags))).toEqual({ value: gender, flags: [] });
  });

  it('leaves an unknown word for a nullable field null, flagged, and nothing written null', () => {
    expect(withFlags((flags) => optionalCode(GENDER_WORDS, 'X', 'GENDER_UNKNOWN', flags))).toEqual({ value: null, flags: ['GENDER_UNKNOWN'] });
    expect(withFlags((flags) => optionalCode(GENDER_WORDS, null, 'GENDER_UNKNOWN', flags))).toEqual({ value: null, flags: [] });
    expect(withFlags((flags) => optionalCode(GENDER_WORDS, ' ', 'GENDER_UNKNOWN', flags))).toEqual({ value: null, flags: [] });
  });

  it.each([
    ['Tàu bay', 'AIR'], ['Tau bay', 'AIR'], ['Máy bay', 'AIR'], ['Tàu hỏa', 'RAIL'], ['xe khach', 'COACH'], ['Tàu thuyền', 'WATERWAY'],
    ['Xe cá nhân', 'PERSONAL'], ['Khác', 'PERSONAL'], ['Khac', 'PERSONAL'],
  ])('reads the vhd vehicle %j as %s', (written, mode) => {
    expect(requiredCode(VHD_VEHICLE_LABELS, written, 'vehicle')).toBe(mode);
  });

  it('fails on an unknown code for a required field', () => {
    expect(failureOf(() => requiredCode(VHD_VEHICLE_LABELS, 'Tên lửa', 'vehicle'))).toEqual({ errorClass: 'UnknownCode', path: 'vehicle' });
    expect(failureOf(() => requiredCode(VHD_VEHICLE_LABELS, null, 'vehicle'))).toEqual({ errorClass: 'UnknownCode', path: 'vehicle' });
  });

  it.each([
    [[], []],
    [['ho', 'Sốt'], ['FEVER', 'COUGH']],
    [['sot cao', 'SỐT NHẸ', 'ho khan'], ['FEVER', 'COUGH']],
    [['Mất vị giác', 'đau bụng', 'khó thở'], ['SHORTNESS_OF_BREATH', 'LOSS_OF_TASTE_OR_SMELL', 'OTHER']],
    [['Ớn lạnh', 'Tiêu chảy', 'Nôn'], ['NAUSEA_OR_VOMITING', 'DIARRHEA', 'CHILLS']],
  ])('reads the symptoms %j as %j (canonical order, each once, unknown ones OTHER)', (words, symptoms) => {
    expect(symptomsOf(words, SYMPTOM_WORDS)).toEqual(symptoms);
  });

  it.each([
    [1, true, []], [2, false, []], [null, null, []], [undefined, null, []], [0, null, ['ANSWER_UNKNOWN']], [3, null, ['ANSWER_UNKNOWN']],
  ])('reads the vhd answer code %j as %j', (code, answer, flags) => {
    expect(withFlags((found) => yesNoAnswer(VHD_EXPOSURE_ANSWER, code, found))).toEqual({ value: answer, flags });
  });
});

describe('nationality rule', () => {
  it.each([
    [null, 'VN', 'VN'], [null, null, null], ['Việt Nam', null, 'VN'], ['Viet Nam', null, 'VN'], ['Hàn Quốc', 'VN', 'KR'],
    ['kr', 'VN', 'KR'], ['NZ', 'VN', 'NZ'], ['Hoa Kỳ', 'VN', 'US'], ['Úc', 'VN', 'AU'],
  ])('reads %j (absent meaning %j) as %j', (written, whenAbsent, code) => {
    expect(withFlags((flags) => nationalityOf(written, whenAbsent, flags))).toEqual({ value: code, flags: [] });
  });

  it('leaves a country name no list has null, flagged', () => {
    expect(withFlags((flags) => nationalityOf('Xứ Wakanda', 'VN', flags))).toEqual({ value: null, flags: ['NATIONALITY_UNKNOWN'] });
  });
});

describe('vehicle code rule', () => {
  it.each([
    ['VN213', 'VN213'], ['vn213', 'VN213'], [' se1 ', 'SE1'], ['51b - 123.45', '51B-123.45'], ['43A-567.89', '43A-567.89'],
    ['61A34567', '61A34567'], ['51B . 123', '51B.123'], ['', null], [null, null],
  ])('writes %j as %j', (written, code) => {
    expect(vehicleCode(written)).toBe(code);
  });
});

describe('coordinates rule', () => {
  it.each([
    [['10.9284', '106.7123'], { latitude: 10.9284, longitude: 106.7123 }, []],
    [['10,9284', '106,7123'], { latitude: 10.9284, longitude: 106.7123 }, []],
    [[null, null], null, []],
    [['10.9284', null], null, ['COORDINATES_INVALID']],
    [['mười', '106.7'], null, ['COORDINATES_INVALID']],
    [['106.7123', '10.9284'], null, ['COORDINATES_OUT_OF_RANGE']],
    [['48.85', '2.35'], null, ['COORDINATES_OUT_OF_RANGE']],
  ] as const)('reads the cells %j as %j', ([latitude, longitude], coordinates, flags) => {
    expect(withFlags((found) => coordinatesOfCells(latitude, longitude, found))).toEqual({ value: coordinates, flags });
  });
});
