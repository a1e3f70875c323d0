import { describe, expect, it } from 'vitest';
import { FORMER_PROVINCE_NAMES } from '../../services/generator/written-forms.ts';
import { KINDS, canonicalSchema } from '../../services/platform/catalog.ts';
import { PROVINCES } from '../../services/platform/provinces.ts';
import * as canonical from '../../schemas/kinds/canonical-values.ts';
import { cccdPrefix, decodeCccd } from '../../services/source-vocabulary/cccd.ts';
import { CHECKPOINT_STATUS_LABELS, CHECKPOINT_TYPE_LABELS, MANAGING_LEVEL_LABELS } from '../../connectors/sources/checkpoint-ops/vocabulary/registry-labels.ts';
import { GATE_DECISIONS, GATE_DIRECTIONS, GATE_HEALTH_COLOURS, GATE_METHODS } from '../../connectors/sources/checkpoint-ops/vocabulary/gate-reader.ts';
import { GENDER_WORDS } from '../../services/source-vocabulary/gender.ts';
import { QR_IDENTITY_TYPES } from '../../connectors/sources/pccovid/vocabulary/identity-types.ts';
import { COUNTRY_NAMES } from '../../services/source-vocabulary/nationalities.ts';
import { PCCOVID_DIRECTIONS, PCCOVID_HEALTH_STATUSES, PCCOVID_SCAN_RESULTS, PCCOVID_SCAN_TYPES } from '../../connectors/sources/pccovid/vocabulary/scan.ts';
import { formatPersonalQr, parsePersonalQr } from '../../services/source-vocabulary/personal-qr.ts';
import { mobileToE164 } from '../../services/source-vocabulary/phone-numbers.ts';
import { PROVINCE_ALIASES, provinceCodeFromName } from '../../services/source-vocabulary/provinces.ts';
import { HOTLINE_CHANNELS } from '../../connectors/sources/hotline-1022/vocabulary/channels.ts';
import { SYMPTOM_WORDS } from '../../services/source-vocabulary/symptoms.ts';
import { foldKey, stripDiacritics } from '../../services/source-vocabulary/text-key.ts';
import { defineVocabulary, type Vocabulary } from '../../services/source-vocabulary/vocabulary.ts';
import { VHD_EXPOSURE_ANSWER, VHD_SIGN_ANSWER } from '../../services/source-vocabulary/yes-no.ts';
import { DECLARATION_TYPES as C06_DECLARATION_TYPES } from '../../connectors/sources/c06/vocabulary.ts';
import { HOTLINE_CATEGORY_SCHEMES, hotlineCategoryCodes } from '../../connectors/sources/hotline-1022/vocabulary/categories.ts';
import { DECLARATION_TYPES as NCOVI_DECLARATION_TYPES } from '../../connectors/sources/ncovi/vocabulary.ts';
import {
  DECLARATION_TYPES as PCCOVID_DECLARATION_TYPES,
  GENDER_CODES as PCCOVID_GENDER_CODES,
  REPORT_TYPES as PCCOVID_REPORT_TYPES,
  SYMPTOM_KEYS as PCCOVID_SYMPTOM_KEYS,
  TRANSPORT_TYPES as PCCOVID_TRANSPORT_TYPES,
} from '../../connectors/sources/pccovid/vocabulary/app-codes.ts';
import { DECLARATION_TYPES as VHD_DECLARATION_TYPES, VEHICLE_LABELS as VHD_VEHICLE_LABELS } from '../../connectors/sources/vhd/vocabulary.ts';
import * as testResult from '../../schemas/kinds/test-result/values.ts';

const DECLARATION_TYPE_CODES = { vhd: VHD_DECLARATION_TYPES, ncovi: NCOVI_DECLARATION_TYPES, pccovid: PCCOVID_DECLARATION_TYPES, c06: C06_DECLARATION_TYPES };

/** Every enum of the canonical schemas, by name. */
function canonicalEnums(): Map<string, string[]> {
  const enums = new Map<string, string[]>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'enum') enums.set(record.name as string, record.symbols as string[]);
      Object.values(record).forEach(walk);
    }
  };
  for (const kind of KINDS) walk(canonicalSchema(kind));
  return enums;
}

const VOCABULARIES: Vocabulary<string, string | number>[] = [
  GENDER_WORDS, PCCOVID_GENDER_CODES, SYMPTOM_WORDS, PCCOVID_SYMPTOM_KEYS, VHD_VEHICLE_LABELS, PCCOVID_TRANSPORT_TYPES,
  QR_IDENTITY_TYPES, COUNTRY_NAMES, CHECKPOINT_TYPE_LABELS, MANAGING_LEVEL_LABELS, CHECKPOINT_STATUS_LABELS,
  GATE_DIRECTIONS, GATE_METHODS, GATE_HEALTH_COLOURS, GATE_DECISIONS, PCCOVID_SCAN_TYPES, PCCOVID_DIRECTIONS,
  PCCOVID_HEALTH_STATUSES, PCCOVID_SCAN_RESULTS, PCCOVID_REPORT_TYPES, HOTLINE_CHANNELS,
  ...Object.values(DECLARATION_TYPE_CODES).map((codes) => codes.codes),
  ...Object.keys(HOTLINE_CATEGORY_SCHEMES).map((city) => hotlineCategoryCodes(city)!),
];

describe('source vocabulary', () => {
  it('names the canonical enums exactly as the canonical schemas do', () => {
    const enums = canonicalEnums();
    const expected: Record<string, readonly string[]> = {
      Gender: canonical.GENDERS, DeclarationType: canonical.DECLARATION_TYPES, DocumentType: canonical.DOCUMENT_TYPES,
      Symptom: canonical.SYMPTOMS, TransportMode: canonical.TRANSPORT_MODES, ReportCategory: canonical.REPORT_CATEGORIES,
      ReportChannel: canonical.REPORT_CHANNELS, CheckpointType: canonical.CHECKPOINT_TYPES, ManagingLevel: canonical.MANAGING_LEVELS,
      CheckpointStatus: canonical.CHECKPOINT_STATUSES, Direction: canonical.DIRECTIONS, IdentificationMethod: canonical.IDENTIFICATION_METHODS,
      HealthStatus: canonical.HEALTH_STATUSES, PassageOutcome: canonical.PASSAGE_OUTCOMES,
      TestType: testResult.TEST_TYPES, TestResultValue: testResult.TEST_RESULTS, SpecimenType: testResult.SPECIMEN_TYPES,
    };
    expect([...enums.keys()].sort()).toEqual(Object.keys(expected).sort());
    for (const [name, symbols] of Object.entries(expected)) expect(enums.get(name), name).toEqual([...symbols]);
  });

  it('reads every word back to its canonical value, whatever its case and diacritics', () => {
    for (const vocabulary of VOCABULARIES) {
      for (const value of vocabulary.canonicals) {
        expect(vocabulary.has(value)).toBe(true);
        expect(vocabulary.words(value)[0]).toBe(vocabulary.word(value));
        for (const word of vocabulary.words(value)) {
          expect(vocabulary.canonical(word), `${vocabulary.name}: ${word}`).toBe(value);
          if (typeof word === 'string') expect(vocabulary.canonical(` ${stripDiacritics(word).toUpperCase()} `)).toBe(value);
        }
      }
      expect(vocabulary.canonical('no such word')).toBeUndefined();
    }
  });

  it('refuses a table where one word would stand for two values', () => {
    expect(() => defineVocabulary('test', { A: ['Nữ'], B: ['NU'] })).toThrow(/stands for both A and B/);
  });

  it('gives every canonical value of the closed concepts a word', () => {
    for (const symptom of canonical.SYMPTOMS) expect(SYMPTOM_WORDS.has(symptom)).toBe(true);
    for (const mode of canonical.TRANSPORT_MODES) expect([VHD_VEHICLE_LABELS.has(mode), PCCOVID_TRANSPORT_TYPES.has(mode)]).toEqual([true, true]);
    for (const city of Object.keys(HOTLINE_CATEGORY_SCHEMES)) expect(hotlineCategoryCodes(city)!.canonicals.length).toBe(canonical.REPORT_CATEGORIES.length);
    expect(hotlineCategoryCodes('99')).toBeUndefined();
    expect(DECLARATION_TYPE_CODES.vhd.whenAbsent).toBe('DOMESTIC');
    expect(DECLARATION_TYPE_CODES.ncovi.whenAbsent).toBe('WHOLE_POPULATION');
  });

  it('codes vhd answers 1 = yes, 2 = no and sign 1 = yes, 0 = no', () => {
    expect([VHD_EXPOSURE_ANSWER.code(true), VHD_EXPOSURE_ANSWER.code(false), VHD_EXPOSURE_ANSWER.answer(2), VHD_EXPOSURE_ANSWER.answer(0)]).toEqual([1, 2, false, undefined]);
    expect([VHD_SIGN_ANSWER.code(true), VHD_SIGN_ANSWER.answer(0)]).toEqual([1, false]);
  });

  it('reads province names however they are written, and no former province', () => {
    for (const province of PROVINCES) {
      for (const name of [province.name, stripDiacritics(province.name), province.name.toUpperCase(), `Tỉnh ${province.name}`, `TP. ${province.name}`, ...(PROVINCE_ALIASES[province.code] ?? [])]) {
        expect(provinceCodeFromName(name), name).toBe(province.code);
      }
    }
    const examples: Record<string, string> = {
      'TP HCM': '79', 'TP. Hồ Chí Minh': '79', 'Sài Gòn': '79', HCM: '79', 'Tp.HCM': '79', 'Ha Noi': '01', HN: '01',
      'Thừa Thiên - Huế': '46', 'TT Huế': '46', 'BR-VT': '77', 'Bà Rịa Vũng Tàu': '77', 'Thanh Hoá': '38', 'Hòa Bình': '17', 'dak lak': '66',
    };
    for (const [name, code] of Object.entries(examples)) expect(provinceCodeFromName(name), name).toBe(code);
    for (const name of [...FORMER_PROVINCE_NAMES, 'Tỉnh', '', 'Hà']) expect(provinceCodeFromName(name), name).toBeUndefined();
  });

  it('folds text for comparison', () => {
    expect(foldKey('  TP. Hồ Chí  Minh ')).toBe('tp ho chi minh');
    expect(stripDiacritics('Đặng Thị Ngọc Ánh')).toBe('Dang Thi Ngoc Anh');
  });

  it('encodes and decodes what a CCCD says about its holder', () => {
    for (const [year, sex, digit] of [[1850, 'MALE', '8'], [1999, 'FEMALE', '1'], [2000, 'MALE', '2'], [2099, 'FEMALE', '3'], [2150, 'MALE', '4']] as const) {
      const number = `${cccdPrefix('79', sex, year)}123456`;
      expect(number[3]).toBe(digit);
      expect(decodeCccd(number)).toEqual({ provinceCode: '79', sex, birthYear: year });
    }
    expect(decodeCccd('12345678901')).toBeNull();
    expect(decodeCccd('123456789012')).toBeNull();
  });

  it('reads Vietnamese mobiles written 0…, 84… or +84…, and nothing else', () => {
    for (const written of ['0912345678', '84912345678', '+84912345678', '+84 912 345 678', '0912.345.678', '0912-345-678']) {
      expect(mobileToE164(written), written).toBe('+84912345678');
    }
    for (const written of ['0112345678', '091234567', '09123456789', '01689123456', '0951234567', '912345678', '']) {
      expect(mobileToE164(written), written).toBeNull();
    }
  });

  it('reads personal QR payloads, and refuses malformed ones', () => {
    const qr = parsePersonalQr('079088001234|Đỗ Văn Hùng|12/04/1988|CCCD|QH3P8R1ZK7|');
    expect(qr).toEqual({ documentNumber: '079088001234', fullName: 'Đỗ Văn Hùng', dateOfBirth: '12/04/1988', identityType: 'CCCD', qid: 'QH3P8R1ZK7', ext: '' });
    expect(formatPersonalQr(qr!)).toBe('079088001234|Đỗ Văn Hùng|12/04/1988|CCCD|QH3P8R1ZK7|');
    expect(parsePersonalQr('0912345678|Lê Văn Tám|01/01/2015|SDT|QAB12CD34E|1')!.identityType).toBe('PHONE');
    for (const payload of [
      '079088001234|Đỗ Văn Hùng|12/04/1988',
      '079088001234;Đỗ Văn Hùng;12/04/1988;CCCD;QH3P8R1ZK7;',
      '079088001234|Đỗ Văn Hùng|1988-04-12|CCCD|QH3P8R1ZK7|',
      '079088001234|Đỗ Văn Hùng|12/04/1988|XX|QH3P8R1ZK7|',
      '|Đỗ Văn Hùng|12/04/1988|CCCD|QH3P8R1ZK7|',
      'https://tokhaiyte.vn/qr/QH3P8R1ZK7',
    ]) {
      expect(parsePersonalQr(payload), payload).toBeNull();
    }
  });
});
