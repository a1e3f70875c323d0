/**
 * Citizen report categories of the 1022 portals: their own category codes, which differ between
 * cities (`categoryCode`, read together with `cityCode`).
 */
import type { ReportCategory } from '../../../../schemas/kinds/canonical-values.ts';
import { defineVocabulary, type Vocabulary } from '../../../../services/source-vocabulary/vocabulary.ts';

/** One category of a 1022 portal: its code, its label in the portal, and what it means canonically. */
export interface HotlineCategory {
  code: string;
  name: string;
  category: ReportCategory;
}

/** The scheme of the portals run with the provincial health departments (Hồ Chí Minh, Bình Dương, Đồng Nai, ...). */
const HEALTH_DEPARTMENT_SCHEME: readonly HotlineCategory[] = [
  { code: 'YT-01', name: 'Phản ánh người nghi nhiễm', category: 'SUSPECTED_CASE' },
  { code: 'YT-02', name: 'Người từ vùng dịch về', category: 'RETURNEE_FROM_OUTBREAK_AREA' },
  { code: 'YT-03', name: 'Phản ánh vi phạm cách ly', category: 'QUARANTINE_VIOLATION' },
  { code: 'ANTT-05', name: 'Tụ tập đông người', category: 'GATHERING' },
  { code: 'ASXH-01', name: 'Hỗ trợ lương thực, thực phẩm', category: 'SUPPORT_REQUEST' },
  { code: 'ASXH-02', name: 'Hỗ trợ thuốc men, khám chữa bệnh', category: 'SUPPORT_REQUEST' },
  { code: 'ASXH-03', name: 'Hỗ trợ đi lại', category: 'SUPPORT_REQUEST' },
  { code: 'KHAC', name: 'Khác', category: 'OTHER' },
];

/** The scheme of the portals run with the city people's committees (Hà Nội, Hải Phòng). */
const CITY_COMMITTEE_SCHEME: readonly HotlineCategory[] = [
  { code: 'PA01', name: 'Nghi nhiễm COVID-19', category: 'SUSPECTED_CASE' },
  { code: 'PA02', name: 'Người về từ vùng có dịch', category: 'RETURNEE_FROM_OUTBREAK_AREA' },
  { code: 'PA03', name: 'Vi phạm quy định cách ly y tế', category: 'QUARANTINE_VIOLATION' },
  { code: 'PA04', name: 'Tụ tập đông người, không giữ khoảng cách', category: 'GATHERING' },
  { code: 'HT01', name: 'Đề nghị hỗ trợ', category: 'SUPPORT_REQUEST' },
  { code: 'HT02', name: 'Hỗ trợ người mắc kẹt', category: 'SUPPORT_REQUEST' },
  { code: 'PA99', name: 'Lĩnh vực khác', category: 'OTHER' },
];

/** Category scheme of each city running a 1022 portal, by GSO code. */
export const HOTLINE_CATEGORY_SCHEMES: Readonly<Record<string, readonly HotlineCategory[]>> = {
  '79': HEALTH_DEPARTMENT_SCHEME,
  '74': HEALTH_DEPARTMENT_SCHEME,
  '75': HEALTH_DEPARTMENT_SCHEME,
  '48': HEALTH_DEPARTMENT_SCHEME,
  '92': HEALTH_DEPARTMENT_SCHEME,
  '01': CITY_COMMITTEE_SCHEME,
  '31': CITY_COMMITTEE_SCHEME,
};

function codesOf(scheme: readonly HotlineCategory[], name: string): Vocabulary<ReportCategory> {
  const table = {} as Record<ReportCategory, string[]>;
  for (const row of scheme) (table[row.category] ??= []).push(row.code);
  return defineVocabulary<ReportCategory>(name, table);
}

const codesByCity = new Map(Object.entries(HOTLINE_CATEGORY_SCHEMES).map(([city, scheme]) => [city, codesOf(scheme, `1022 categories of ${city}`)]));

/** The category codes of one city's portal, both ways; undefined for a city without a known portal. */
export function hotlineCategoryCodes(cityCode: string): Vocabulary<ReportCategory> | undefined {
  return codesByCity.get(cityCode);
}
