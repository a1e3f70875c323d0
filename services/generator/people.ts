/**
 * The synthetic population records are about: who each person is (name, sex, birth date,
 * nationality), their one identity document, phone, PC-Covid id, where they live (and, for people
 * who moved, where they are registered), and when they got their vaccine doses. People repeat
 * across records, so one person's declarations, passages and reports can be joined.
 */
import type { Gender } from '../../schemas/kinds/canonical-values.ts';
import type { RegisteredSex } from '../source-vocabulary/cccd.ts';
import { DISTRICTS, PROVINCES_BY_POPULATION, addressLine, type District, type Ward } from './geography.ts';
import { cccdNumber, cmndNumber, passportNumber, type IdentityDocument } from './identity-documents.ts';
import { DAY_MS } from '../source-vocabulary/local-time.ts';
import { FOREIGN_NATIONALITIES, foreignName, vietnameseName } from './names.ts';
import { mobileNumber } from './phones.ts';
import { WeightedTable, type Random } from './random.ts';

export interface Residence {
  provinceCode: string;
  district: District | null;
  ward: Ward | null;
  /** House number and street, or hamlet. */
  line: string;
}

export interface Person {
  readonly index: number;
  /** With diacritics, in normal case: "Nguyễn Thị Thu Hà". */
  readonly fullName: string;
  /** As the person declares it. */
  readonly gender: Gender;
  /** As registered (the CCCD's sex digit); differs from `gender` only for people declaring OTHER. */
  readonly sex: RegisteredSex;
  readonly birthYear: number;
  readonly birthMonth: number;
  readonly birthDay: number;
  /** False for some old people whose records only hold the year. */
  readonly birthDateKnown: boolean;
  /** ISO 3166-1 alpha-2. */
  readonly nationality: string;
  /** Province of birth registration (Vietnamese citizens), the CCCD's digits 2–3. */
  readonly birthProvinceCode: string;
  readonly document: IdentityDocument | null;
  /** The 9 national digits of the person's mobile. */
  readonly phone: string;
  /** The PC-Covid id of the personal QR. */
  readonly qid: string;
  readonly home: Residence;
  /** The registered permanent residence when the person lives elsewhere (migrant workers, students). */
  readonly hometown: Residence | null;
  /** Local days (since 1970-01-01) of the first and second vaccine doses, when given. */
  readonly firstDoseDay: number | null;
  readonly secondDoseDay: number | null;
}

/** The year all ages are counted from: the pandemic year the records are about. */
const REFERENCE_YEAR = 2021;

/** Birth years weighted by the 2021 age pyramid (roughly). */
const BIRTH_YEARS = new WeightedTable(
  Array.from({ length: 2020 - 1930 + 1 }, (_, i) => {
    const year = 1930 + i;
    const weight = year < 1945 ? 0.3 : year < 1960 ? 0.9 : year < 1970 ? 1.3 : year < 1980 ? 1.5 : year < 2000 ? 1.8 : 1.4;
    return [year, weight] as const;
  }),
);

const FIRST_VACCINATION_DAY = Date.UTC(2021, 2, 8) / DAY_MS; // the first doses in Vietnam, 8 March 2021
const LAST_VACCINATION_DAY = Date.UTC(2021, 8, 30) / DAY_MS;

/** Share of adults with a first dose by autumn 2021: the hardest-hit provinces were vaccinated first. */
function vaccinationRate(provinceCode: string): number {
  if (provinceCode === '79') return 0.75;
  if (provinceCode === '01' || provinceCode === '74' || provinceCode === '75' || provinceCode === '80') return 0.45;
  return 0.18;
}

const QID_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function residenceIn(random: Random, provinceCode: string): Residence {
  const districts = DISTRICTS[provinceCode];
  const district = districts && random.chance(0.92) ? random.pick(districts) : null;
  const ward = district && random.chance(0.9) ? random.pick(district.wards) : null;
  // Without a district on record, about as many people live in towns as in the countryside.
  const rural = district ? district.rural : random.chance(0.6);
  return { provinceCode, district, ward, line: addressLine(random, provinceCode, rural) };
}

function documentFor(random: Random, nationality: string, sex: RegisteredSex, birthYear: number, birthProvinceCode: string): IdentityDocument | null {
  if (nationality !== 'VN') return { type: 'PASSPORT', number: passportNumber(random, nationality) };
  // Children under 14 have no card; they are declared with a parent's phone.
  if (REFERENCE_YEAR - birthYear < 14) return null;
  const roll = random.float();
  const cmndShare = birthYear < 1990 ? 0.3 : 0.12;
  if (roll < 0.03) return { type: 'PASSPORT', number: passportNumber(random, 'VN') };
  if (roll < 0.03 + cmndShare) return { type: 'CMND', number: cmndNumber(random) };
  return { type: 'CCCD', number: cccdNumber(random, birthProvinceCode, sex, birthYear) };
}

function makePerson(random: Random, index: number): Person {
  const foreign = random.chance(0.015);
  const nationality = foreign ? FOREIGN_NATIONALITIES.pick(random) : 'VN';
  const sex: RegisteredSex = random.chance(0.5) ? 'MALE' : 'FEMALE';
  const gender: Gender = random.chance(0.003) ? 'OTHER' : sex;
  const birthYear = BIRTH_YEARS.pick(random);
  const birthMonth = random.between(1, 12);
  const birthDay = random.between(1, new Date(Date.UTC(birthYear, birthMonth, 0)).getUTCDate());
  const homeProvince = PROVINCES_BY_POPULATION.pick(random);
  const birthProvinceCode = random.chance(0.75) ? homeProvince : PROVINCES_BY_POPULATION.pick(random);
  const adult = REFERENCE_YEAR - birthYear >= 18;
  let firstDoseDay: number | null = null;
  let secondDoseDay: number | null = null;
  if (adult && random.chance(vaccinationRate(homeProvince))) {
    firstDoseDay = random.between(FIRST_VACCINATION_DAY, LAST_VACCINATION_DAY);
    if (random.chance(0.3)) secondDoseDay = firstDoseDay + random.between(28, 84);
  }
  return {
    index,
    fullName: foreign ? foreignName(random, nationality, gender) : vietnameseName(random, sex),
    gender,
    sex,
    birthYear,
    birthMonth,
    birthDay,
    birthDateKnown: birthYear >= 1960 || random.chance(0.9),
    nationality,
    birthProvinceCode,
    document: documentFor(random, nationality, sex, birthYear, birthProvinceCode),
    phone: mobileNumber(random),
    qid: 'Q' + random.chars(QID_ALPHABET, 9),
    home: residenceIn(random, homeProvince),
    hometown: !foreign && birthProvinceCode !== homeProvince && random.chance(0.8) ? residenceIn(random, birthProvinceCode) : null,
    firstDoseDay,
    secondDoseDay,
  };
}

/** The population, with the subsets sources that need a document draw from. */
export class Population {
  readonly everyone: readonly Person[];
  /** People with any identity document (vhd requires one). */
  readonly withDocument: readonly Person[];
  /** People with a CCCD (C06 accepts nothing else; gate chip readers read only CCCDs). */
  readonly withCccd: readonly Person[];

  constructor(random: Random, size: number) {
    const everyone = Array.from({ length: size }, (_, i) => makePerson(random, i));
    this.everyone = everyone;
    this.withDocument = everyone.filter((p) => p.document !== null);
    this.withCccd = everyone.filter((p) => p.document?.type === 'CCCD');
    if (this.withCccd.length === 0) throw new Error(`a population of ${size} has nobody with a CCCD; use a larger population`);
  }
}

/**
 * Who declared when. The normalizer treats one person's declarations with the same answers less
 * than half an hour apart as one declaration sent twice; a generated person therefore declares again
 * only after a gap, and the only near-simultaneous copies are the labelled cross-source duplicates.
 */
export class DeclarantLog {
  static readonly GAP_MS = 2 * 3_600_000;
  private readonly lastDeclared = new Map<Person, number>();

  /** Someone from `pool` who has not declared within the gap before `time` (a few tries), noted as declaring at `time`. */
  pick(random: Random, pool: readonly Person[], time: number): Person {
    let person = random.pick(pool);
    for (let tries = 0; tries < 20 && time - (this.lastDeclared.get(person) ?? -Infinity) < DeclarantLog.GAP_MS; tries++) {
      person = random.pick(pool);
    }
    this.lastDeclared.set(person, time);
    return person;
  }
}

/** Doses received by the end of a local day, and the day of the last one. */
export function vaccinationOn(person: Person, day: number): { doses: number; lastDoseDay: number | null } {
  if (person.secondDoseDay !== null && person.secondDoseDay < day) return { doses: 2, lastDoseDay: person.secondDoseDay };
  if (person.firstDoseDay !== null && person.firstDoseDay < day) return { doses: 1, lastDoseDay: person.firstDoseDay };
  return { doses: 0, lastDoseDay: null };
}
