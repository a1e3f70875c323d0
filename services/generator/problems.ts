/**
 * The normalizer-stage defects and soft flags each source applies to its records. Each source names
 * the raw field a problem touches (and how it writes it); the builders here (`unknownProvinceCodeIn`,
 * `futureDateIn`, `invalidPhoneIn`, ...) make the applier: values that pass the raw schema but name
 * no province, no calendar day, a day in the future or a birth year nobody has; and the truth
 * patches of the soft problems the normalizer keeps but flags.
 */
import { PROVINCES } from '../platform/provinces.ts';
import { formatPersonalQr, parsePersonalQr, type PersonalQr } from '../source-vocabulary/personal-qr.ts';
import { QUALITY_FLAG_OF, type Flag } from './labels.ts';
import { DAY_MS } from '../source-vocabulary/local-time.ts';
import { localParts } from './local-time.ts';
import type { ProblemApplier, RawRecord } from './pair-spec.ts';
import { invalidPhone } from './phones.ts';
import type { Random } from './random.ts';
import type { HealthDeclarationTruth, MovementDeclarationTruth, Truth } from './truth.ts';
import { FORMER_PROVINCE_NAMES } from './written-forms.ts';

const PROVINCE_CODES = new Set(PROVINCES.map((province) => province.code));

/** Two-digit codes GSO never gave a province (e.g. 03, 99), as a mistyped code would read. */
const UNUSED_PROVINCE_CODES: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0')).filter((code) => !PROVINCE_CODES.has(code));

/** How far ahead a future date is put: two decades, so it stays in the future whenever the tests run. */
const FUTURE_SHIFT_MS = 20 * 365 * DAY_MS;

/** A day that does not exist (30 or 31 February) in place of the day and month of a date written dd/MM/yyyy… or yyyy-MM-dd…. */
function impossibleDate(random: Random, text: string): string {
  const day = random.chance(0.5) ? '30' : '31';
  if (/^\d{2}\/\d{2}\//.test(text)) return `${day}/02${text.slice(5)}`;
  if (/^\d{4}-\d{2}-\d{2}/.test(text)) return `${text.slice(0, 4)}-02-${day}${text.slice(10)}`;
  throw new Error(`impossibleDate: ${JSON.stringify(text)} is neither dd/MM/yyyy nor yyyy-MM-dd`);
}

/** The same date written dd/MM/yyyy… or yyyy-MM-dd… with another year. */
function withYear(text: string, year: number): string {
  // 29 February moved to a year without one would be an impossible date, another defect altogether.
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (/^\d{2}\/\d{2}\/\d{4}/.test(text)) {
    const day = !leap && text.startsWith('29/02') ? '28' : text.slice(0, 2);
    return `${day}${text.slice(2, 6)}${year}${text.slice(10)}`;
  }
  if (/^\d{4}-/.test(text)) {
    const rest = !leap && text.slice(4, 10) === '-02-29' ? `-02-28${text.slice(10)}` : text.slice(4);
    return `${year}${rest}`;
  }
  throw new Error(`withYear: ${JSON.stringify(text)} is neither dd/MM/yyyy nor yyyy-MM-dd`);
}

/** A birth year no declarant can have: before 1900 (a slip of the finger), or after the year of the declaration. */
function outOfRangeBirthYear(random: Random, declarationYear: number): number {
  return random.chance(0.7) ? random.pick([1850, 1868, 1881, 1890, 1899]) : declarationYear + random.between(1, 3);
}

/** A birth year one to three years off the true one (a typo the CCCD number shows up). */
function mistypedBirthYear(random: Random, year: number): number {
  const offset = random.between(1, 3);
  return random.chance(0.5) ? year + offset : year - offset;
}

/** A personal QR payload that cannot be read: parts missing, another separator, a date in another shape, an unknown identity type, or not a personal QR at all. */
function malformedQrPayload(random: Random, qr: PersonalQr): string {
  const valid = formatPersonalQr(qr);
  switch (random.int(5)) {
    case 0:
      return valid.split('|').slice(0, random.between(2, 4)).join('|');
    case 1:
      return valid.replaceAll('|', ';');
    case 2: {
      const [day, month, year] = qr.dateOfBirth.split('/');
      return formatPersonalQr({ ...qr, dateOfBirth: `${year}-${month}-${day}` });
    }
    case 3:
      return valid.replace(/\|(CCCD|CMND|HC|SDT)\|/, '|XX|');
    default:
      return `https://tokhaiyte.vn/qr/${qr.qid}`;
  }
}

/** Adds a soft problem's quality flag to the truth. */
function addQualityFlag(truth: Truth, flag: Flag): void {
  truth.quality_flags.push(QUALITY_FLAG_OF[flag]);
}

/** Truth of a declaration whose birth year disagrees with its CCCD: the declared year is kept, and flagged. */
function declareBirthYear(truth: HealthDeclarationTruth | MovementDeclarationTruth, year: number): void {
  truth.person.birth_year = year;
  addQualityFlag(truth, 'cccd-birth-year-mismatch');
}

/** Truth of a declaration whose phone is no Vietnamese mobile: no phone, and flagged. */
function dropInvalidPhone(truth: Truth): void {
  if (truth.kind === 'health-declaration' || truth.kind === 'movement-declaration') truth.person.phone = null;
  else if (truth.kind === 'citizen-report' && truth.reporter) truth.reporter.phone = null;
  else throw new Error(`no phone to drop in a ${truth.kind}`);
  addQualityFlag(truth, 'invalid-phone');
}

/** The 9 national digits of an E.164 phone (+84…). */
function nationalDigits(e164Phone: string): string {
  return e164Phone.slice(3);
}

/** The phone a record's truth knows: the declarant's, or the reporter's. */
function truthPhone(truth: Truth): string {
  const phone = truth.kind === 'health-declaration' || truth.kind === 'movement-declaration' ? truth.person.phone : truth.kind === 'citizen-report' ? truth.reporter?.phone : null;
  if (!phone) throw new Error(`no phone in this ${truth.kind}`);
  return phone;
}

/** The truth of a declaration, for the problems only declarations have. */
function declaration(truth: Truth): HealthDeclarationTruth | MovementDeclarationTruth {
  if (truth.kind !== 'health-declaration' && truth.kind !== 'movement-declaration') throw new Error(`no declarant in a ${truth.kind}`);
  return truth;
}

// Appliers, by the raw field they touch.

/**
 * Where a problem writes: a field name, a dotted path into a nested object ("reporter.phone"), or
 * for a field that depends on the record, a function giving the path.
 */
export type FieldPath = string | ((record: RawRecord) => string);

/** The object holding the last key of a dotted path, and that key. */
function slot(record: RawRecord, path: string): { holder: RawRecord; key: string } {
  const keys = path.split('.');
  const key = keys.pop()!;
  let holder = record;
  for (const part of keys) holder = holder[part] as RawRecord;
  return { holder, key };
}

/** An applier that replaces the value at `at` with `change(current value, ...)`, returning the path. */
function replacing(at: FieldPath, change: (current: unknown, truth: Truth, random: Random) => unknown): ProblemApplier {
  return (record, truth, random) => {
    const path = typeof at === 'string' ? at : at(record);
    const { holder, key } = slot(record, path);
    holder[key] = change(holder[key], truth, random);
    return path;
  };
}

/** unknown-province, for a field holding a GSO province code: a code no province has. */
export function unknownProvinceCodeIn(at: FieldPath): ProblemApplier {
  return replacing(at, (_current, _truth, random) => random.pick(UNUSED_PROVINCE_CODES));
}

/** unknown-province, for a field holding a province name: the name of a former province (Sông Bé, Hà Sơn Bình, ...). */
export function unknownProvinceNameIn(at: FieldPath): ProblemApplier {
  return replacing(at, (_current, _truth, random) => random.pick(FORMER_PROVINCE_NAMES));
}

/** impossible-date: 30 or 31 February in the date (dd/MM/yyyy… or yyyy-MM-dd…) the field holds. */
export function impossibleDateIn(at: FieldPath): ProblemApplier {
  return replacing(at, (current, _truth, random) => impossibleDate(random, current as string));
}

/** future-date: the record's instant two decades on, written as the field writes times (`format`). */
export function futureDateIn(at: FieldPath, format: (ms: number) => string | number): ProblemApplier {
  return replacing(at, (_current, truth) => format(truth.occurred_at + FUTURE_SHIFT_MS));
}

/** How a field holds the birth year: as a number, or as the year of a dd/MM/yyyy (or yyyy-MM-dd) date. */
export type BirthYearHolder = 'year' | 'date';

function writeYear(holder: BirthYearHolder, current: unknown, year: number): unknown {
  return holder === 'year' ? year : withYear(current as string, year);
}

/** birth-year-out-of-range: a birth year before 1900 or after the declaration's year. */
export function outOfRangeBirthYearIn(at: FieldPath, holder: BirthYearHolder): ProblemApplier {
  return replacing(at, (current, truth, random) => writeYear(holder, current, outOfRangeBirthYear(random, localParts(truth.occurred_at).year)));
}

/** cccd-birth-year-mismatch: the birth year mistyped by one to three years; the truth keeps the declared year, flagged. */
export function mistypedBirthYearIn(at: FieldPath, holder: BirthYearHolder): ProblemApplier {
  return replacing(at, (current, truth, random) => {
    const declared = declaration(truth);
    const year = mistypedBirthYear(random, declared.person.birth_year!);
    declareBirthYear(declared, year);
    return writeYear(holder, current, year);
  });
}

/** invalid-phone: a number no Vietnamese mobile has, in place of the phone; the truth drops the phone, flagged. */
export function invalidPhoneIn(at: FieldPath): ProblemApplier {
  return replacing(at, (_current, truth, random) => {
    const phone = invalidPhone(random, nationalDigits(truthPhone(truth)));
    dropInvalidPhone(truth);
    return phone;
  });
}

/** malformed-qr-payload: the personal QR payload the field holds, made unreadable. */
export function malformedQrPayloadIn(at: FieldPath): ProblemApplier {
  return replacing(at, (current, _truth, random) => malformedQrPayload(random, parsePersonalQr(current as string)!));
}
