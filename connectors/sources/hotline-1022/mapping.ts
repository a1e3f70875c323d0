/**
 * hotline-1022 — city hotlines and feedback portals: tickets with each city's own category codes
 * (read with the scheme of the city running the portal), places as written (district and ward as
 * names: no codes), local times dd/MM/yyyy HH:mm:ss, and a reporter who may be anonymous.
 */
import { hotlineCategoryCodes } from './vocabulary/categories.ts';
import { HOTLINE_CHANNELS } from './vocabulary/channels.ts';
import type { CitizenReportRecord } from '../../../schemas/kinds/citizen-report/record.ts';
import { envelope, keyedBy, type SourceMappings } from '../../../services/normalizer/mapping/pair-mapping.ts';
import { reporterKey, reporterOf, reportId, type ReporterContact } from '../../../services/normalizer/mapping/report.ts';
import { coordinatesOfNumbers } from '../../../services/normalizer/mapping/rules/coordinates.ts';
import { requiredCode } from '../../../services/normalizer/mapping/rules/enums.ts';
import { localFormat, localInstant, notInFuture } from '../../../services/normalizer/mapping/rules/local-time.ts';
import { requiredProvince } from '../../../services/normalizer/mapping/rules/province.ts';
import { QUALITY_FLAGS } from '../../../services/normalizer/mapping/rules/quality-flags.ts';
import { text } from '../../../services/normalizer/mapping/rules/text.ts';

/** raw/citizen-report.avsc */
interface HotlineTicket {
  ticketId: string;
  cityCode: string;
  channel: string;
  categoryCode: string;
  categoryName?: string | null;
  content: string;
  district?: string | null;
  ward?: string | null;
  address?: string | null;
  lat?: number | null;
  lng?: number | null;
  reporter?: ReporterContact | null;
  status?: string | null;
  createdTime: string;
}

const CREATED_TIME = localFormat('dd/MM/yyyy HH:mm:ss');

const CITIZEN_REPORT = keyedBy<HotlineTicket, CitizenReportRecord>(reportId, ({ input, value, context, flags }) => {
  const occurredAt = notInFuture(localInstant(value.createdTime, CREATED_TIME, 'createdTime').at, context.now, 'createdTime');
  // The portal's city: tickets are about places in it.
  const cityCode = requiredProvince(value.cityCode, 'cityCode');
  const category = hotlineCategoryCodes(cityCode)?.canonical(value.categoryCode);
  if (category === undefined) flags.add(QUALITY_FLAGS.categoryUnmapped);
  const reporter = reporterOf(value.reporter ?? null, flags);
  return {
    ...envelope('citizen-report', input, occurredAt, cityCode, reporterKey(reporter, context.personKey)),
    report_id: reportId(input),
    category: category ?? 'OTHER',
    text: value.content,
    location: {
      province_code: cityCode,
      district_code: null,
      ward_code: null,
      line: text(value.address),
      coordinates: coordinatesOfNumbers(value.lat, value.lng, flags),
    },
    channel: requiredCode(HOTLINE_CHANNELS, value.channel, 'channel'),
    reporter,
    anonymous: reporter === null,
  };
});

export const MAPPINGS: SourceMappings = { 'citizen-report': CITIZEN_REPORT };
