/**
 * Citizen reports (phản ánh) of summer 2021: mostly requests for food and medicine under the
 * lockdowns, reports of quarantine violations and gatherings, people back from outbreak areas
 * without declaring, suspected cases. The texts are written for this generator from templates.
 */
import type { ReportCategory } from '../../schemas/kinds/canonical-values.ts';
import { DISTRICTS, addressLine, type District, type Ward } from './geography.ts';
import { DAY_MS } from '../source-vocabulary/local-time.ts';
import { localParts } from './local-time.ts';
import { WeightedTable, weighted, type Random } from './random.ts';

export interface ReportFacts {
  occurredAt: number;
  category: ReportCategory;
  provinceCode: string;
  district: District | null;
  ward: Ward | null;
  /** Address of the reported place, as the citizen wrote it. */
  line: string;
  /** The citizen's text. */
  text: string;
}

const CATEGORIES = weighted<ReportCategory>({
  SUPPORT_REQUEST: 35,
  QUARANTINE_VIOLATION: 20,
  GATHERING: 15,
  RETURNEE_FROM_OUTBREAK_AREA: 12,
  SUSPECTED_CASE: 12,
  OTHER: 6,
});

/** Reports came mostly from the provinces under lockdown. */
export const REPORT_PROVINCES = new WeightedTable<string>([
  ['79', 45], ['74', 12], ['75', 8], ['01', 12], ['80', 4], ['48', 5], ['92', 3], ['31', 2], ['40', 2], ['38', 2], ['56', 2], ['89', 3],
]);

/** Templates: {addr} the place, {n} a small number, {day} a recent day "10/8". */
const TEXTS: Readonly<Record<ReportCategory, readonly string[]>> = {
  SUSPECTED_CASE: [
    'Nhà số {addr} có người sốt, ho mấy ngày nay nhưng không đi khám, đề nghị y tế phường kiểm tra.',
    'Hàng xóm ở {addr} bị mất vị giác, ho khan từ hôm {day}, cả nhà vẫn đi lại bình thường.',
    'Tôi bị sốt {n} ngày nay, đau họng, muốn được test nhanh tại nhà, địa chỉ {addr}.',
  ],
  RETURNEE_FROM_OUTBREAK_AREA: [
    'Có {n} người từ TP HCM về {addr} tối {day}, chưa khai báo y tế.',
    'Gia đình ở {addr} có con từ Bình Dương chạy xe máy về quê, không cách ly.',
    'Xe khách chở người từ vùng dịch về trả khách tại {addr} lúc nửa đêm {day}.',
  ],
  QUARANTINE_VIOLATION: [
    'Hộ F1 tại {addr} ra khỏi nhà nhiều lần trong thời gian cách ly.',
    'Người đang cách ly tại nhà ở {addr} vẫn mở cửa bán hàng.',
    'Khu {addr} đang phong tỏa nhưng có người trèo rào ra ngoài mua đồ.',
  ],
  GATHERING: [
    'Quán cà phê ở {addr} vẫn mở cửa, có khoảng {n} người ngồi uống.',
    'Nhóm thanh niên tụ tập nhậu tại {addr} tối {day}.',
    'Sân bóng ở {addr} có nhiều người đá bóng dù đang giãn cách.',
  ],
  SUPPORT_REQUEST: [
    'Gia đình tôi {n} người ở {addr} hết gạo và thực phẩm, xin được hỗ trợ.',
    'Tôi là lao động tự do thuê trọ tại {addr}, mất việc do giãn cách, xin hỗ trợ lương thực.',
    'Mẹ tôi bị tiểu đường ở {addr}, đã hết thuốc, cần người mua giúp.',
    'Xin hỗ trợ phương tiện đưa vợ sắp sinh từ {addr} đến bệnh viện.',
    'Khu trọ {addr} có {n} phòng công nhân không còn tiền mua đồ ăn.',
  ],
  OTHER: [
    'Đề nghị thông báo lịch tiêm vắc xin cho người trên 65 tuổi ở {addr}.',
    'Tôi muốn hỏi thủ tục xin giấy đi đường để đi làm ở khu công nghiệp.',
    'Loa phát thanh ở {addr} phát quá to từ 5 giờ sáng.',
  ],
};

function fillTemplate(random: Random, template: string, address: string, occurredAt: number): string {
  const day = localParts(occurredAt - random.between(0, 5) * DAY_MS);
  return template
    .replace('{addr}', address)
    .replace('{n}', String(random.between(2, 15)))
    .replace('{day}', `${day.day}/${day.month}`);
}

/** A report about a place in the province. */
export function reportFacts(random: Random, occurredAt: number, provinceCode: string): ReportFacts {
  const category = CATEGORIES.pick(random);
  const districts = DISTRICTS[provinceCode];
  const district = districts && random.chance(0.85) ? random.pick(districts) : null;
  const ward = district && random.chance(0.8) ? random.pick(district.wards) : null;
  const line = addressLine(random, provinceCode, district ? district.rural : random.chance(0.5));
  return {
    occurredAt,
    category,
    provinceCode,
    district,
    ward,
    line,
    text: fillTemplate(random, random.pick(TEXTS[category]), line, occurredAt),
  };
}

