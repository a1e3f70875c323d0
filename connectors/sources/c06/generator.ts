/**
 * c06 — the Ministry of Public Security's declaration system (dancuquocgia): CCCD holders only,
 * checked against the population database, so names, birth dates and CCCD numbers agree. Vietnamese
 * camelCase JSON, permanent / temporary / current residence as GSO-coded addresses, ISO-8601 times.
 */
import { GENDER_WORDS } from '../../../services/source-vocabulary/gender.ts';
import { personTruth, residenceTruth, symptomWord } from '../../../services/generator/common-fields.ts';
import { declarationSpec, healthDeclarationTruth } from '../../../services/generator/declaration-spec.ts';
import type { DeclarationFacts } from '../../../services/generator/declarations.ts';
import { formatIsoCalendarDate, formatIsoDate, formatIsoOffset, localMidnight, localParts, truncate } from '../../../services/generator/local-time.ts';
import type { PairSpec, RenderContext, Rendered, SourceProblem } from '../../../services/generator/pair-spec.ts';
import type { Residence } from '../../../services/generator/people.ts';
import { e164, writePhone, type PhoneStyle } from '../../../services/generator/phones.ts';
import { futureDateIn, impossibleDateIn, invalidPhoneIn, unknownProvinceCodeIn } from '../../../services/generator/problems.ts';
import type { HealthDeclarationTruth } from '../../../services/generator/truth.ts';
import { capitalName } from '../../../services/generator/written-forms.ts';
import { DECLARATION_TYPES } from './vocabulary.ts';
import { weighted } from '../../../services/generator/random.ts';

/** How often c06's users write each phone style (free-text phone fields only). */
const PHONE_STYLE = weighted<PhoneStyle>({ local: 55, 'local-spaced': 20, e164: 15, 'local-dotted': 5, international: 5 });

const SOURCE = 'c06';

function address(residence: Residence): Record<string, string | null> {
  return { maTinh: residence.provinceCode, maHuyen: residence.district?.code ?? null, maXa: residence.ward?.code ?? null, chiTiet: residence.line };
}

function renderFacts(context: RenderContext, facts: DeclarationFacts, problem: SourceProblem | null): Rendered<HealthDeclarationTruth> {
  const { random } = context;
  const { person } = facts;
  const occurredAt = truncate(facts.occurredAt, 1000);
  const home = person.home;
  const { vaccination } = facts;
  const hasPhone = problem === 'invalid-phone' || random.chance(0.9);
  const fullName = capitalName(random, person.fullName, 0);
  const local = localParts(occurredAt);
  const record = {
    soHoSo: `C06-KBYT-${local.year}-${context.ids.next('c06', 9)}`,
    loaiToKhai: facts.declarationType === 'WHOLE_POPULATION' && random.chance(0.15) ? null : DECLARATION_TYPES.codes.word(facts.declarationType),
    soCCCD: person.document!.number,
    hoVaTen: fullName,
    ngaySinh: person.birthDateKnown ? formatIsoCalendarDate(person.birthYear, person.birthMonth, person.birthDay) : formatIsoCalendarDate(person.birthYear, 0, 0),
    gioiTinh: GENDER_WORDS.word(person.gender),
    soDienThoai: hasPhone ? writePhone(person.phone, PHONE_STYLE.pick(random)) : null,
    // People living away from their registered home have it as permanent residence, and where they live as temporary and current.
    noiThuongTru: address(person.hometown ?? home),
    noiTamTru: person.hometown ? address(home) : null,
    noiOHienTai: person.hometown ? address(home) : null,
    trieuChung: facts.symptoms.map((symptom) => symptomWord(random, symptom)),
    tiepXucCaBenh: facts.contactWithCase,
    tiepXucNguoiTuVungDich: facts.fromOutbreakArea,
    tiepXucNguoiCoTrieuChung: facts.contactWithSymptomatic,
    noiDaDen: facts.places.map((place) => place.text),
    soMuiTiem: vaccination.doses,
    ngayTiemGanNhat: vaccination.lastDoseDay === null ? null : formatIsoDate(localMidnight(vaccination.lastDoseDay)),
    thoiGianKhaiBao: formatIsoOffset(occurredAt),
  };
  const truth = healthDeclarationTruth(SOURCE, facts, {
    occurredAt,
    // Only citizens hold a CCCD.
    person: personTruth(person, { fullName, nationality: 'VN', phone: hasPhone ? e164(person.phone) : null }),
    address: residenceTruth(home),
    placesVisited: record.noiDaDen,
  });
  return { record, truth };
}

/** The address the declaration is about: current residence, which is the permanent one when no other is given. */
function currentAddressField(record: Record<string, unknown>): 'noiOHienTai' | 'noiThuongTru' {
  return record.noiOHienTai === null ? 'noiThuongTru' : 'noiOHienTai';
}

const C06_HEALTH_DECLARATION = declarationSpec({
  source: SOURCE,
  accepts: (person) => person.document?.type === 'CCCD',
  pool: (people) => people.withCccd,
  renderFacts,
  problems: {
    'unknown-province': unknownProvinceCodeIn((record) => `${currentAddressField(record)}.maTinh`),
    'impossible-date': impossibleDateIn('thoiGianKhaiBao'),
    'future-date': futureDateIn('thoiGianKhaiBao', formatIsoOffset),
    'invalid-phone': invalidPhoneIn('soDienThoai'),
  },
});

/** The renderers of c06, one per kind it publishes (the generator checks them against source.json). */
export const PAIR_SPECS: readonly PairSpec[] = [C06_HEALTH_DECLARATION];

/** Fields c06's users or integrators add by mistake (the generator's unknown-field defect). */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['soCMND', '012345678'], ['maDinhDanh', 'CD-0001']];
