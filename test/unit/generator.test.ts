import { spawnSync } from 'node:child_process';
import avro from 'avsc';
import { describe, expect, it } from 'vitest';
import { RawRecordCodec } from '../../services/platform/raw-records.ts';
import {
  DEFAULT_WINDOW, DEFECTS, DUPLICATE_MAX_DELAY_MS, FLAGS, GeneratorOptionsError, generate, generateItems,
  type GeneratedItem, type GeneratorOptions, type HealthDeclarationTruth, type MovementDeclarationTruth,
} from '../../services/generator/index.ts';
import { Population } from '../../services/generator/people.ts';
import { Random } from '../../services/generator/random.ts';
import { AvroWriter } from '../../services/platform/avro-serde.ts';
import { rawSchema, sourceEntry, sourceKinds, type Kind } from '../../services/platform/catalog.ts';
import { createContentId } from '../../services/platform/event-id.ts';
import { REPO_ROOT } from '../../services/platform/config.ts';
import { provinceByCode } from '../../services/platform/provinces.ts';
import { decodeCccd } from '../../services/source-vocabulary/cccd.ts';
import { mobileToE164 } from '../../services/source-vocabulary/phone-numbers.ts';
import { parsePersonalQr } from '../../services/source-vocabulary/personal-qr.ts';
import { provinceCodeFromName, provinceNames } from '../../services/source-vocabulary/provinces.ts';
import { foldKey, stripDiacritics } from '../../services/source-vocabulary/text-key.ts';

/** A deployment's content ids, as ingest would compute them with its secret. */
const CONTENT_ID = createContentId('unit-test-deployment-secret-0123456789abcdef');
const codecs = new Map<string, RawRecordCodec>();

/** The codec ingest validates a (source, kind) with. */
function codecFor(source: string, kind: Kind): RawRecordCodec {
  const key = `${source}/${kind}`;
  let codec = codecs.get(key);
  if (!codec) {
    codec = new RawRecordCodec(source, kind, new AvroWriter(1, avro.Type.forSchema(rawSchema(source, kind) as avro.Schema)), CONTENT_ID);
    codecs.set(key, codec);
  }
  return codec;
}

/** The raw value at a dotted path. */
function valueAt(record: Record<string, unknown>, path: string): unknown {
  return path.split('.').reduce<unknown>((value, part) => (value as Record<string, unknown> | null)?.[part], record);
}

const isDeclaration = (item: GeneratedItem): item is GeneratedItem & { truth: HealthDeclarationTruth | MovementDeclarationTruth } =>
  item.truth !== null && (item.truth.kind === 'health-declaration' || item.truth.kind === 'movement-declaration');

const hasFlag = (item: GeneratedItem, flag: string): boolean => item.label.flags.some((f) => f.flag === flag);

const SAMPLE_OPTIONS: GeneratorOptions = { seed: 20210815, count: 6000, invalid: 0.15, flagged: 0.06, duplicates: 0.12, contentId: CONTENT_ID };
const SAMPLE = generate(SAMPLE_OPTIONS);
const VALID = SAMPLE.filter((item) => item.label.valid);

describe('generator: determinism', () => {
  it('gives byte-identical output for the same seed and options, different output for another seed', () => {
    const options: GeneratorOptions = { seed: 7, count: 1500, invalid: 0.1, flagged: 0.05, duplicates: 0.1 };
    const first = JSON.stringify(generate(options));
    expect(JSON.stringify(generate(options))).toBe(first);
    expect(JSON.stringify([...generateItems(options)])).toBe(first);
    expect(JSON.stringify(generate({ ...options, seed: 8 }))).not.toBe(first);
  });
});

describe('generator: every source and kind, as ingest sees them', () => {
  it('generates valid records of every (source, kind) in the catalogue', () => {
    for (const { source, kind } of sourceKinds()) {
      expect(VALID.filter((item) => item.source === source && item.kind === kind).length, `${source}/${kind}`).toBeGreaterThan(0);
    }
  });

  it('generates every defect and every flag', () => {
    const defects = new Set(SAMPLE.flatMap((item) => (item.label.valid ? [] : [item.label.defect])));
    const flags = new Set(SAMPLE.flatMap((item) => item.label.flags.map((f) => f.flag)));
    expect([...defects].sort()).toEqual([...DEFECTS].sort());
    expect([...flags].sort()).toEqual([...FLAGS].sort());
  });

  it('passes the raw schema unless labelled with an ingest-stage defect, which ingest reports on the labelled path', () => {
    for (const item of SAMPLE) {
      const problems = codecFor(item.source, item.kind).problems(item.record);
      if (!item.label.valid && item.label.stage === 'ingest') {
        expect(problems.map((p) => p.path), JSON.stringify(item)).toContain(item.label.path);
      } else {
        expect(problems, JSON.stringify(item)).toEqual([]);
      }
    }
  });

  it('gives the event ids and record ids ingest computes', () => {
    for (const item of SAMPLE) {
      const conversion = codecFor(item.source, item.kind).convert(item.record, 0, 'test');
      if (!item.label.valid && item.label.stage === 'ingest') {
        expect(conversion.ok).toBe(false);
        expect(item.eventId).toBeNull();
        continue;
      }
      if (!conversion.ok) throw new Error(`refused: ${JSON.stringify(conversion.problems)}`);
      expect(item.eventId).toBe(conversion.record.eventId);
      expect(item.sourceRecordId).toBe(conversion.record.sourceRecordId);
      const recordIdField = sourceEntry(item.source)!.kinds[item.kind]!.recordId;
      if (recordIdField !== null) expect(item.sourceRecordId).toBe(String(item.record[recordIdField]));
    }
  });

  it('gives no two accepted records the same event id', () => {
    const ids = SAMPLE.flatMap((item) => (item.eventId === null ? [] : [item.eventId]));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('carries truth for valid items only, with the envelope filled in', () => {
    for (const item of SAMPLE) {
      if (!item.label.valid) {
        expect(item.truth).toBeNull();
        continue;
      }
      const truth = item.truth!;
      expect([truth.kind, truth.source, truth.source_record_id]).toEqual([item.kind, item.source, item.sourceRecordId]);
      if (truth.kind === 'citizen-report') expect(truth.report_id).toBe(`${item.source}:${item.sourceRecordId}`);
      expect(truth.quality_flags.length).toBe(item.label.flags.length);
      const latest = DEFAULT_WINDOW.to + (item.duplicateOf ? DUPLICATE_MAX_DELAY_MS : 0);
      expect(truth.occurred_at).toBeGreaterThanOrEqual(DEFAULT_WINDOW.from);
      expect(truth.occurred_at).toBeLessThan(latest);
    }
  });
});

describe('generator: people and their documents', () => {
  it('gives CCCD numbers that encode province of birth, sex and birth year', () => {
    const population = new Population(new Random(5), 5000);
    expect(population.withCccd.length).toBeGreaterThan(2500);
    for (const person of population.withCccd) {
      expect(decodeCccd(person.document!.number)).toEqual({ provinceCode: person.birthProvinceCode, sex: person.sex, birthYear: person.birthYear });
      expect(provinceByCode(person.birthProvinceCode)).toBeDefined();
    }
    for (const person of population.withDocument) {
      if (person.document!.type === 'CMND') expect(person.document!.number).toMatch(/^\d{9}$/);
      if (person.document!.type === 'PASSPORT') expect(person.document!.number).toMatch(/^[A-Z0-9]{8,9}$/);
    }
  });

  it('draws family names with their real frequencies', () => {
    const vietnamese = new Population(new Random(6), 10_000).everyone.filter((person) => person.nationality === 'VN');
    const nguyen = vietnamese.filter((person) => person.fullName.startsWith('Nguyễn ')).length / vietnamese.length;
    expect(nguyen).toBeGreaterThan(0.34);
    expect(nguyen).toBeLessThan(0.42);
    const women = vietnamese.filter((person) => person.sex === 'FEMALE');
    expect(women.filter((person) => person.fullName.split(' ')[1] === 'Thị').length / women.length).toBeGreaterThan(0.3);
  });

  it('keeps declarations consistent with the CCCD, except the labelled birth-year mismatches', () => {
    let mismatches = 0;
    for (const item of VALID.filter(isDeclaration)) {
      const { document, birth_year, gender } = item.truth.person;
      if (document?.type !== 'CCCD') continue;
      const encoded = decodeCccd(document.number)!;
      if (hasFlag(item, 'cccd-birth-year-mismatch')) {
        mismatches++;
        expect(encoded.birthYear).not.toBe(birth_year);
        expect(item.truth.quality_flags).toContain('CCCD_BIRTH_YEAR_MISMATCH');
      } else {
        expect(encoded.birthYear, JSON.stringify(item)).toBe(birth_year);
      }
      if (gender !== 'OTHER') expect(encoded.sex).toBe(gender);
    }
    expect(mismatches).toBeGreaterThan(0);
  });
});

describe('generator: phones', () => {
  const E164_MOBILE = /^\+84(3[2-9]|5[25689]|7[06-9]|8[1-689]|9[0-46-9])\d{7}$/;

  it('gives every person a valid Vietnamese mobile in E.164', () => {
    for (const item of VALID) {
      const phone = isDeclaration(item) ? item.truth.person.phone : item.truth?.kind === 'citizen-report' ? item.truth.reporter?.phone : null;
      if (phone) expect(phone).toMatch(E164_MOBILE);
    }
  });

  it('writes phones as typed in all three forms (0…, 84…, +84…), each reading back to the truth', () => {
    const forms = new Set<string>();
    for (const item of VALID.filter((i) => i.source === 'vhd' && !hasFlag(i, 'invalid-phone'))) {
      const written = item.record.phone as string;
      expect(mobileToE164(written)).toBe((item.truth as HealthDeclarationTruth).person.phone);
      forms.add(written.startsWith('+84') ? '+84' : written.startsWith('84') ? '84' : written.startsWith('0') ? '0' : written);
    }
    expect([...forms].sort()).toEqual(['+84', '0', '84']);
  });

  it('labels phones that are no mobile as invalid-phone, and drops them from the truth', () => {
    const flagged = VALID.filter((item) => hasFlag(item, 'invalid-phone'));
    expect(flagged.length).toBeGreaterThan(0);
    for (const item of flagged) {
      const path = item.label.flags.find((f) => f.flag === 'invalid-phone')!.path;
      expect(mobileToE164(valueAt(item.record, path) as string)).toBeNull();
      expect(item.truth!.quality_flags).toContain('PHONE_INVALID');
      if (isDeclaration(item)) expect(item.truth.person.phone).toBeNull();
    }
  });
});

describe('generator: provinces as names', () => {
  it('writes ncovi provinces in many ways, each naming the truth province', () => {
    const ncovi = VALID.filter((item) => item.source === 'ncovi');
    const written = ncovi.map((item) => {
      const name = item.record.tinh_thanh as string;
      expect(provinceCodeFromName(name), name).toBe(item.truth!.province_code);
      return { name, official: provinceNames(item.truth!.province_code!).official };
    });
    const withoutDiacritics = written.filter(({ name, official }) => name === stripDiacritics(name) && official !== stripDiacritics(official));
    const aliases = written.filter(({ name, official }) => !foldKey(name).endsWith(foldKey(official)));
    expect(withoutDiacritics.length).toBeGreaterThan(0);
    expect(aliases.length).toBeGreaterThan(0);
    expect(written.some(({ name }) => ['TP HCM', 'TPHCM', 'HCM', 'Sài Gòn', 'Saigon', 'SG', 'Tp.HCM'].includes(name))).toBe(true);
  });

  it('writes registry provinces that name the truth province', () => {
    for (const item of VALID.filter((i) => i.kind === 'checkpoint')) {
      expect(provinceCodeFromName(item.record.tinh_tp as string)).toBe(item.truth!.province_code);
    }
  });
});

describe('generator: normalizer-stage defects', () => {
  const withDefect = (defect: string) => SAMPLE.filter((item) => !item.label.valid && item.label.defect === defect);

  it('unknown-province: the field names no province of 2021', () => {
    expect(withDefect('unknown-province').length).toBeGreaterThan(0);
    for (const item of withDefect('unknown-province')) {
      const value = String(valueAt(item.record, (item.label as { path: string }).path));
      if (/^\d{2}$/.test(value)) expect(provinceByCode(value)).toBeUndefined();
      else expect(provinceCodeFromName(value)).toBeUndefined();
    }
  });

  it('impossible-date: 30 or 31 February', () => {
    for (const item of withDefect('impossible-date')) {
      expect(String(valueAt(item.record, (item.label as { path: string }).path))).toMatch(/^(3[01]\/02\/|\d{4}-02-3[01])/);
    }
  });

  it('future-date: years ahead of now', () => {
    const now = new Date();
    for (const item of withDefect('future-date')) {
      const value = valueAt(item.record, (item.label as { path: string }).path);
      const year = typeof value === 'number' ? new Date(value).getUTCFullYear() : Number(/\d{4}/.exec(String(value))![0]);
      expect(year).toBeGreaterThan(now.getUTCFullYear() + 5);
    }
  });

  it('birth-year-out-of-range: before 1900 or after the declaration', () => {
    for (const item of withDefect('birth-year-out-of-range')) {
      const value = valueAt(item.record, (item.label as { path: string }).path);
      const year = typeof value === 'number' ? value : Number(/\d{4}/.exec(String(value))![0]);
      expect(year < 1900 || year > 2021, String(value)).toBe(true);
    }
  });

  it('malformed-qr-payload: unreadable, while every other QR payload reads back to the truth document', () => {
    expect(withDefect('malformed-qr-payload').length).toBeGreaterThan(0);
    for (const item of withDefect('malformed-qr-payload')) {
      expect(parsePersonalQr(String(valueAt(item.record, (item.label as { path: string }).path)))).toBeNull();
    }
    for (const item of VALID.filter((i) => i.kind === 'checkpoint-passage')) {
      const payload = (item.record.qrPayload ?? item.record.qrContent) as string | null;
      if (payload === null) continue;
      const qr = parsePersonalQr(payload)!;
      expect(qr).not.toBeNull();
      const document = item.truth!.kind === 'checkpoint-passage' ? item.truth!.document : null;
      expect(qr.identityType === 'PHONE' ? null : { type: qr.identityType, number: qr.documentNumber }).toEqual(document);
    }
  });
});

describe('generator: cross-source duplicates', () => {
  it('points each duplicate at an earlier declaration of another source with the same content, minutes before', () => {
    const index = new Map(SAMPLE.map((item, i) => [`${item.source}/${item.sourceRecordId}`, i]));
    const duplicates = SAMPLE.map((item, i) => [item, i] as const).filter(([item]) => item.duplicateOf !== null);
    expect(duplicates.length).toBeGreaterThan(50);
    for (const [item, i] of duplicates) {
      const at = index.get(`${item.duplicateOf!.source}/${item.duplicateOf!.sourceRecordId}`);
      expect(at, JSON.stringify(item.duplicateOf)).toBeDefined();
      expect(at!).toBeLessThan(i);
      const original = SAMPLE[at!]!;
      expect(original.source).not.toBe(item.source);
      expect(original.label.valid && item.label.valid).toBe(true);
      const [a, b] = [original.truth as HealthDeclarationTruth, item.truth as HealthDeclarationTruth];
      expect(b.kind).toBe('health-declaration');
      expect(b.person.document).toEqual(a.person.document);
      expect([b.person.birth_year, b.person.gender]).toEqual([a.person.birth_year, a.person.gender]);
      expect([b.declaration_type, b.province_code, b.symptoms, b.vaccination]).toEqual([a.declaration_type, a.province_code, a.symptoms, a.vaccination]);
      const answers = (t: HealthDeclarationTruth) => [t.exposure.contact_with_case, t.exposure.from_outbreak_area, t.exposure.contact_with_symptomatic];
      expect(answers(b)).toEqual(answers(a));
      expect(b.occurred_at - a.occurred_at).toBeGreaterThanOrEqual(0);
      expect(b.occurred_at - a.occurred_at).toBeLessThanOrEqual(DUPLICATE_MAX_DELAY_MS);
    }
  });
});

describe('generator: options', () => {
  const BIG = generate({ seed: 99, count: 20_000, invalid: 0.1, flagged: 0.05, duplicates: 0.1 });

  it('respects the shares of invalid, flagged and duplicate items', () => {
    const invalid = BIG.filter((item) => !item.label.valid).length / BIG.length;
    expect(Math.abs(invalid - 0.1)).toBeLessThan(0.012);
    const flaggable = BIG.filter((item) => ['vhd', 'ncovi', 'c06', 'hotline-1022'].includes(item.source) || (item.source === 'pccovid' && item.kind.endsWith('declaration')));
    const flagged = flaggable.filter((item) => item.label.flags.length > 0).length / flaggable.length;
    expect(Math.abs(flagged - 0.05)).toBeLessThan(0.012);
    const declarations = BIG.filter((item) => item.kind === 'health-declaration');
    const duplicated = declarations.filter((item) => item.duplicateOf !== null).length / declarations.length;
    expect(Math.abs(duplicated - 0.1)).toBeLessThan(0.015);
  });

  it('respects per-defect shares, and gives no other defects', () => {
    const items = generate({ seed: 5, count: 20_000, defects: { 'unknown-province': 0.05, 'wrong-type': 0.02 } });
    const fits = items.filter((item) => item.kind !== 'checkpoint-passage');
    const unknownProvince = fits.filter((item) => !item.label.valid && item.label.defect === 'unknown-province').length / fits.length;
    expect(Math.abs(unknownProvince - 0.05)).toBeLessThan(0.01);
    const wrongType = items.filter((item) => !item.label.valid && item.label.defect === 'wrong-type').length / items.length;
    expect(Math.abs(wrongType - 0.02)).toBeLessThan(0.005);
    expect(items.every((item) => item.label.valid || ['unknown-province', 'wrong-type'].includes(item.label.defect))).toBe(true);
  });

  it('generates exact per-pair counts, and only the chosen sources and kinds', () => {
    const counted = generate({ seed: 1, counts: { 'vhd/health-declaration': 7, 'hotline-1022/citizen-report': 3 } });
    expect(counted.map((item) => `${item.source}/${item.kind}`).sort()).toEqual([...Array(3).fill('hotline-1022/citizen-report'), ...Array(7).fill('vhd/health-declaration')]);
    const filtered = generate({ seed: 1, count: 500, sources: ['pccovid', 'vhd'], kinds: ['movement-declaration'] });
    expect(filtered).toHaveLength(500);
    expect(new Set(filtered.map((item) => `${item.source}/${item.kind}`))).toEqual(new Set(['pccovid/movement-declaration', 'vhd/movement-declaration']));
  });

  it('keeps declarations inside the chosen window', () => {
    const window = { from: Date.parse('2021-07-10T00:00:00+07:00'), to: Date.parse('2021-07-12T00:00:00+07:00') };
    for (const item of generate({ seed: 3, count: 500, window })) {
      expect(item.truth!.occurred_at).toBeGreaterThanOrEqual(window.from);
      expect(item.truth!.occurred_at).toBeLessThan(window.to);
    }
  });

  it('refuses bad options with a clear message', () => {
    const bad: [GeneratorOptions, RegExp][] = [
      [{ seed: -1 }, /seed/],
      [{ seed: 1.5 }, /seed/],
      [{ seed: 1, sources: ['nope'] }, /sources: unknown "nope"/],
      [{ seed: 1, kinds: ['citizen-report'], sources: ['vhd'] }, /no source publishes/],
      [{ seed: 1, invalid: 1.5 }, /invalid must be a share/],
      [{ seed: 1, invalid: 0.6, duplicates: 0.6 }, /add up to/],
      [{ seed: 1, invalid: 0.1, defects: { 'wrong-type': 0.1 } }, /invalid or defects/],
      [{ seed: 1, defects: { 'no-such-defect': 0.1 } as never }, /defects: unknown/],
      [{ seed: 1, count: 10, counts: { 'vhd/health-declaration': 1 } }, /counts cannot be combined/],
      [{ seed: 1, population: 10 }, /population/],
      [{ seed: 1, window: { from: 2, to: 1 } }, /window/],
    ];
    for (const [options, message] of bad) {
      expect(() => generate(options), JSON.stringify(options)).toThrow(GeneratorOptionsError);
      expect(() => generate(options)).toThrow(message);
    }
  });
});

describe('truc generate', () => {
  const truc = (...args: string[]) => spawnSync(process.execPath, ['services/cli/truc.ts', ...args], { cwd: REPO_ROOT, encoding: 'utf8' });

  it('prints raw records as NDJSON, the same as the library', () => {
    const result = truc('generate', '--seed', '1', '--count', '3');
    expect(result.status).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines.map((line) => JSON.parse(line))).toEqual(generate({ seed: 1, count: 3 }).map((item) => item.record));
  });

  it('prints labelled items with --labels', () => {
    const result = truc('generate', '--seed', '2', '--count', '5', '--source', 'ncovi', '--invalid', '0.5', '--labels');
    expect(result.status).toBe(0);
    const items = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as GeneratedItem);
    expect(items.map((item) => item.source)).toEqual(Array(5).fill('ncovi'));
    expect(items.every((item) => 'label' in item && 'truth' in item)).toBe(true);
  });

  it('refuses bad options with exit code 2, and lists its commands', () => {
    for (const args of [['--seed', 'x'], ['--bogus'], ['--source', 'nope'], ['--invalid', '2'], ['--defect', 'oops']]) {
      const result = truc('generate', ...args);
      expect(result.status, args.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/^truc generate: /);
      expect(result.stdout).toBe('');
    }
    expect(truc('no-such-command').status).toBe(2);
    const help = truc('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/generate/);
  });
});
