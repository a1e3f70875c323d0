/**
 * What a person declares, independently of the app they declare it in: the form, symptoms in the
 * last 14 days (most people have none; fever and cough are the common ones), the exposure answers,
 * places visited, and for entry forms the flight they arrived on. Each source renders these facts
 * in its own words, so the same facts can reach Truc twice through two apps.
 */
import { SYMPTOMS, type DeclarationType, type Symptom } from '../../schemas/kinds/canonical-values.ts';
import { COUNTRY_NAMES } from '../source-vocabulary/nationalities.ts';
import { provinceByCode } from '../platform/provinces.ts';
import { PROVINCES_BY_POPULATION } from './geography.ts';
import { localDay } from './local-time.ts';
import { vaccinationOn, type Person } from './people.ts';
import { WeightedTable, weighted, type Random } from './random.ts';

export interface VisitedPlace {
  /** As typed on text forms: a province or a landmark. */
  text: string;
  /** The location QR code PC-Covid users scanned there instead. */
  locationQrId: string;
}

export interface EntryFacts {
  flightCode: string;
  /** ISO code of the country of departure. */
  fromCountry: string;
  entryDay: number;
}

/** The 14-day questions, shared by health and movement declarations. */
export interface HealthAnswers {
  /** In canonical enum order, no repeats. */
  symptoms: readonly Symptom[];
  contactWithCase: boolean | null;
  fromOutbreakArea: boolean | null;
  contactWithSymptomatic: boolean | null;
  places: readonly VisitedPlace[];
}

export interface DeclarationFacts extends HealthAnswers {
  person: Person;
  /** When the declaration was submitted, ms. */
  occurredAt: number;
  declarationType: DeclarationType;
  /** Doses received before the day of the declaration. */
  vaccination: { doses: number; lastDoseDay: number | null };
  entry: EntryFacts | null;
}

/** How common each symptom is among people declaring any (fever and cough most, loss of taste seldom). */
const SYMPTOM_WEIGHTS = new WeightedTable<Symptom>([
  ['FEVER', 30], ['COUGH', 28], ['SORE_THROAT', 15], ['FATIGUE', 12], ['HEADACHE', 10], ['RUNNY_NOSE', 8],
  ['MUSCLE_PAIN', 6], ['SHORTNESS_OF_BREATH', 5], ['LOSS_OF_TASTE_OR_SMELL', 4], ['CHILLS', 3],
  ['DIARRHEA', 2], ['NAUSEA_OR_VOMITING', 2], ['OTHER', 1],
]);

const LANDMARKS = [
  'chợ Long Biên', 'chợ Đồng Xuân', 'Bệnh viện Bạch Mai', 'Bệnh viện Chợ Rẫy', 'chợ Bình Điền',
  'chợ đầu mối Hóc Môn', 'siêu thị Co.opmart', 'KCN VSIP', 'Bến xe Miền Đông', 'chợ Bà Chiểu', 'KCN Sóng Thần',
  'Bệnh viện Đà Nẵng', 'chợ Cồn', 'sân bay Tân Sơn Nhất',
];

const DECLARATION_TYPES = weighted<DeclarationType>({ WHOLE_POPULATION: 50, DOMESTIC: 42, ENTRY: 8 });

/** Countries Vietnamese returnees flew in from in 2021. */
const RETURNEE_COUNTRIES = ['KR', 'JP', 'TW', 'US', 'SG', 'AU', 'GB', 'DE', 'FR', 'RU'];

const INTERNATIONAL_CARRIERS = ['VN', 'VN', 'VN', 'VJ', 'KE', 'OZ', 'JL', 'NH', 'SQ', 'CX', 'QR'];

function symptoms(random: Random): Symptom[] {
  if (!random.chance(0.07)) return [];
  const chosen = new Set<Symptom>();
  const count = random.chance(0.6) ? 1 : random.chance(0.7) ? 2 : 3;
  while (chosen.size < count) chosen.add(SYMPTOM_WEIGHTS.pick(random));
  return SYMPTOMS.filter((symptom) => chosen.has(symptom));
}

/** A yes/no answer, yes with probability `yes`, left unanswered now and then. */
function answer(random: Random, yes: number): boolean | null {
  if (random.chance(0.03)) return null;
  return random.chance(yes);
}

function places(random: Random, person: Person): VisitedPlace[] {
  if (!random.chance(0.15)) return [];
  return Array.from({ length: random.chance(0.7) ? 1 : 2 }, () => {
    const provinceCode = random.chance(0.6) ? PROVINCES_BY_POPULATION.pick(random) : person.home.provinceCode;
    return {
      text: random.chance(0.6) ? provinceByCode(provinceCode)!.name : random.pick(LANDMARKS),
      locationQrId: `LQ-${provinceCode}-${random.digits(6)}`,
    };
  });
}

export function healthAnswers(random: Random, person: Person): HealthAnswers {
  return {
    symptoms: symptoms(random),
    contactWithCase: answer(random, 0.015),
    fromOutbreakArea: answer(random, 0.06),
    contactWithSymptomatic: answer(random, 0.02),
    places: places(random, person),
  };
}

function entryFacts(random: Random, person: Person, occurredAt: number): EntryFacts {
  const fromCountry = person.nationality !== 'VN' && COUNTRY_NAMES.has(person.nationality) ? person.nationality : random.pick(RETURNEE_COUNTRIES);
  return {
    flightCode: `${random.pick(INTERNATIONAL_CARRIERS)}${random.between(10, 999)}`,
    fromCountry,
    entryDay: localDay(occurredAt) - random.between(0, 2),
  };
}

export function declarationFacts(random: Random, person: Person, occurredAt: number): DeclarationFacts {
  // Foreigners declare mostly on arrival.
  const declarationType = person.nationality !== 'VN' && random.chance(0.7) ? 'ENTRY' : DECLARATION_TYPES.pick(random);
  return {
    person,
    occurredAt,
    declarationType,
    vaccination: vaccinationOn(person, localDay(occurredAt)),
    entry: declarationType === 'ENTRY' ? entryFacts(random, person, occurredAt) : null,
    ...healthAnswers(random, person),
  };
}

