/**
 * hotline-1022 — city hotlines and feedback portals: tickets in camelCase JSON with each city's
 * own category codes, free text typed by the caller or the operator, places as written, local
 * times dd/MM/yyyy HH:mm:ss, and a reporter who may stay anonymous.
 */
import { HOTLINE_CATEGORY_SCHEMES } from './vocabulary/categories.ts';
import { HOTLINE_CHANNELS } from './vocabulary/channels.ts';
import { positionIn } from '../../../services/generator/geography.ts';
import { compactDate, formatDateSeconds, truncate } from '../../../services/generator/local-time.ts';
import { informalName } from '../../../services/generator/names.ts';
import type { PairSpec, RenderContext, Rendered, SourceProblem } from '../../../services/generator/pair-spec.ts';
import { e164, writePhone, type PhoneStyle } from '../../../services/generator/phones.ts';
import { futureDateIn, impossibleDateIn, invalidPhoneIn, unknownProvinceCodeIn } from '../../../services/generator/problems.ts';
import { WeightedTable, weighted } from '../../../services/generator/random.ts';
import { reportFacts } from '../../../services/generator/reports.ts';
import { envelopeTruth, type CitizenReportTruth } from '../../../services/generator/truth.ts';
import { emailOf, typedUnitName } from '../../../services/generator/written-forms.ts';

/** How often hotline-1022's users write each phone style (free-text phone fields only). */
const PHONE_STYLE = weighted<PhoneStyle>({ 'local-spaced': 40, local: 40, e164: 10, 'local-dotted': 10 });

const SOURCE = 'hotline-1022';

/** Cities running a 1022 portal, weighted by how many tickets they took, with their ticket prefix. */
const CITIES = new WeightedTable<string>([['79', 60], ['01', 15], ['48', 8], ['74', 8], ['75', 5], ['31', 2], ['92', 2]]);
const TICKET_PREFIXES: Readonly<Record<string, string>> = { '79': 'HCM', '01': 'HN', '48': 'DNG', '74': 'BD', '75': 'DNI', '31': 'HP', '92': 'CT' };

const CHANNELS = weighted<'CALL' | 'WEB' | 'ZALO' | 'APP' | 'EMAIL'>({ CALL: 60, WEB: 15, ZALO: 15, APP: 7, EMAIL: 3 });
const STATUSES = weighted<string>({ 'Mới tiếp nhận': 50, 'Đã chuyển xử lý': 30, 'Đã xử lý': 20 });

function renderTicket(context: RenderContext, problem: SourceProblem | null): Rendered<CitizenReportTruth> {
  const { random } = context;
  const cityCode = CITIES.pick(random);
  const occurredAt = truncate(context.time, 1000);
  const facts = reportFacts(random, occurredAt, cityCode);
  const category = random.pick(HOTLINE_CATEGORY_SCHEMES[cityCode]!.filter((row) => row.category === facts.category));
  const channel = CHANNELS.pick(random);
  // Operators taking a call write it down in their own words.
  const content = channel === 'CALL' && random.chance(0.6) ? `Người dân gọi đến phản ánh: ${facts.text.charAt(0).toLowerCase()}${facts.text.slice(1)}` : facts.text;
  const address = random.chance(0.9) ? facts.line : null;
  const position = (channel === 'WEB' || channel === 'APP') && random.chance(0.5) ? positionIn(random, cityCode) : null;
  const person = random.pick(context.people.everyone);
  const anonymous = problem !== 'invalid-phone' && random.chance(0.3);
  const reporterName = random.chance(0.5) ? informalName(person.fullName, person.sex) : person.fullName;
  const day = compactDate(occurredAt);
  const record = {
    ticketId: `${TICKET_PREFIXES[cityCode]}-${day.slice(0, 4)}-${day.slice(4)}-${context.ids.next('hotline', 7)}`,
    cityCode,
    channel,
    categoryCode: category.code,
    categoryName: random.chance(0.85) ? category.name : null,
    content,
    district: facts.district ? typedUnitName(random, facts.district.name) : null,
    ward: facts.ward ? typedUnitName(random, facts.ward.name) : null,
    address,
    lat: position?.latitude ?? null,
    lng: position?.longitude ?? null,
    reporter: anonymous
      ? null
      : { name: reporterName, phone: writePhone(person.phone, PHONE_STYLE.pick(random)), email: random.chance(0.1) ? emailOf(person.fullName, person.birthYear) : null },
    status: STATUSES.pick(random),
    createdTime: formatDateSeconds(occurredAt),
  };
  const truth: CitizenReportTruth = {
    ...envelopeTruth('citizen-report', SOURCE, occurredAt, cityCode),
    report_id: '',
    category: facts.category,
    text: content,
    // The portal writes district and ward as names; Truc has no register to code them with.
    location: { province_code: cityCode, district_code: null, ward_code: null, line: address, coordinates: position },
    channel: HOTLINE_CHANNELS.canonical(channel)!,
    reporter: anonymous ? null : { name: reporterName, phone: e164(person.phone) },
    anonymous,
  };
  return { record, truth };
}

const HOTLINE_CITIZEN_REPORT: PairSpec = {
  source: SOURCE,
  kind: 'citizen-report',
  render: renderTicket,
  problems: {
    'unknown-province': unknownProvinceCodeIn('cityCode'),
    'impossible-date': impossibleDateIn('createdTime'),
    'future-date': futureDateIn('createdTime', formatDateSeconds),
    'invalid-phone': invalidPhoneIn('reporter.phone'),
  },
};

/** The renderers of hotline-1022, one per kind it publishes (the generator checks them against source.json). */
export const PAIR_SPECS: readonly PairSpec[] = [HOTLINE_CITIZEN_REPORT];

/** Fields hotline-1022's users or integrators add by mistake (the generator's unknown-field defect). */
export const STRAY_FIELDS: readonly (readonly [string, string])[] = [['priority', 'CAO'], ['operatorId', 'DTV-014']];
