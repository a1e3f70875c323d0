/**
 * Where the synthetic population lives: for each of the 63 provinces its approximate population
 * (millions, rounded from the 2019 census, as weights), the approximate position of its provincial
 * capital, and its vehicle plate codes; for the most populous provinces a few districts and wards
 * with GSO-style codes (3-digit districts, 5-digit wards). Written for this generator from general
 * knowledge: plausible, not a reference — ward codes in particular are illustrative.
 */
import { PROVINCES } from '../platform/provinces.ts';
import { WeightedTable, type Random } from './random.ts';

interface ProvinceGeography {
  population: number;
  latitude: number;
  longitude: number;
  /** Vehicle registration codes ("biển số") of the province, the first the most common. */
  plates: readonly string[];
}

const GEOGRAPHY: Readonly<Record<string, ProvinceGeography>> = {
  '01': { population: 8.05, latitude: 21.03, longitude: 105.85, plates: ['30', '29', '31', '32', '33', '40'] },
  '02': { population: 0.85, latitude: 22.82, longitude: 104.98, plates: ['23'] },
  '04': { population: 0.53, latitude: 22.67, longitude: 106.26, plates: ['11'] },
  '06': { population: 0.31, latitude: 22.15, longitude: 105.83, plates: ['97'] },
  '08': { population: 0.78, latitude: 21.82, longitude: 105.21, plates: ['22'] },
  '10': { population: 0.73, latitude: 22.49, longitude: 103.97, plates: ['24'] },
  '11': { population: 0.6, latitude: 21.39, longitude: 103.02, plates: ['27'] },
  '12': { population: 0.46, latitude: 22.4, longitude: 103.46, plates: ['25'] },
  '14': { population: 1.25, latitude: 21.33, longitude: 103.91, plates: ['26'] },
  '15': { population: 0.82, latitude: 21.72, longitude: 104.91, plates: ['21'] },
  '17': { population: 0.85, latitude: 20.82, longitude: 105.34, plates: ['28'] },
  '19': { population: 1.29, latitude: 21.59, longitude: 105.85, plates: ['20'] },
  '20': { population: 0.78, latitude: 21.85, longitude: 106.76, plates: ['12'] },
  '22': { population: 1.32, latitude: 20.95, longitude: 107.08, plates: ['14'] },
  '24': { population: 1.8, latitude: 21.27, longitude: 106.19, plates: ['98'] },
  '25': { population: 1.46, latitude: 21.32, longitude: 105.4, plates: ['19'] },
  '26': { population: 1.15, latitude: 21.31, longitude: 105.6, plates: ['88'] },
  '27': { population: 1.37, latitude: 21.19, longitude: 106.07, plates: ['99'] },
  '30': { population: 1.89, latitude: 20.94, longitude: 106.33, plates: ['34'] },
  '31': { population: 2.03, latitude: 20.86, longitude: 106.68, plates: ['15', '16'] },
  '33': { population: 1.25, latitude: 20.65, longitude: 106.05, plates: ['89'] },
  '34': { population: 1.86, latitude: 20.45, longitude: 106.34, plates: ['17'] },
  '35': { population: 0.85, latitude: 20.54, longitude: 105.91, plates: ['90'] },
  '36': { population: 1.78, latitude: 20.43, longitude: 106.18, plates: ['18'] },
  '37': { population: 0.98, latitude: 20.25, longitude: 105.97, plates: ['35'] },
  '38': { population: 3.64, latitude: 19.81, longitude: 105.78, plates: ['36'] },
  '40': { population: 3.33, latitude: 18.68, longitude: 105.68, plates: ['37'] },
  '42': { population: 1.29, latitude: 18.34, longitude: 105.91, plates: ['38'] },
  '44': { population: 0.9, latitude: 17.47, longitude: 106.62, plates: ['73'] },
  '45': { population: 0.63, latitude: 16.82, longitude: 107.1, plates: ['74'] },
  '46': { population: 1.13, latitude: 16.46, longitude: 107.59, plates: ['75'] },
  '48': { population: 1.13, latitude: 16.05, longitude: 108.2, plates: ['43'] },
  '49': { population: 1.5, latitude: 15.57, longitude: 108.47, plates: ['92'] },
  '51': { population: 1.23, latitude: 15.12, longitude: 108.8, plates: ['76'] },
  '52': { population: 1.49, latitude: 13.78, longitude: 109.22, plates: ['77'] },
  '54': { population: 0.87, latitude: 13.09, longitude: 109.3, plates: ['78'] },
  '56': { population: 1.23, latitude: 12.24, longitude: 109.19, plates: ['79'] },
  '58': { population: 0.59, latitude: 11.57, longitude: 108.99, plates: ['85'] },
  '60': { population: 1.23, latitude: 10.93, longitude: 108.1, plates: ['86'] },
  '62': { population: 0.54, latitude: 14.35, longitude: 108.0, plates: ['82'] },
  '64': { population: 1.51, latitude: 13.98, longitude: 108.0, plates: ['81'] },
  '66': { population: 1.87, latitude: 12.67, longitude: 108.04, plates: ['47'] },
  '67': { population: 0.62, latitude: 12.0, longitude: 107.69, plates: ['48'] },
  '68': { population: 1.3, latitude: 11.94, longitude: 108.44, plates: ['49'] },
  '70': { population: 0.99, latitude: 11.53, longitude: 106.89, plates: ['93'] },
  '72': { population: 1.17, latitude: 11.31, longitude: 106.1, plates: ['70'] },
  '74': { population: 2.46, latitude: 10.98, longitude: 106.65, plates: ['61'] },
  '75': { population: 3.1, latitude: 10.95, longitude: 106.82, plates: ['60'] },
  '77': { population: 1.15, latitude: 10.5, longitude: 107.17, plates: ['72'] },
  '79': { population: 8.99, latitude: 10.78, longitude: 106.7, plates: ['51', '59', '50', '52', '53', '54', '55', '56', '57', '58'] },
  '80': { population: 1.69, latitude: 10.54, longitude: 106.41, plates: ['62'] },
  '82': { population: 1.76, latitude: 10.36, longitude: 106.36, plates: ['63'] },
  '83': { population: 1.29, latitude: 10.24, longitude: 106.38, plates: ['71'] },
  '84': { population: 1.01, latitude: 9.93, longitude: 106.35, plates: ['84'] },
  '86': { population: 1.02, latitude: 10.25, longitude: 105.97, plates: ['64'] },
  '87': { population: 1.6, latitude: 10.46, longitude: 105.63, plates: ['66'] },
  '89': { population: 1.91, latitude: 10.39, longitude: 105.44, plates: ['67'] },
  '91': { population: 1.72, latitude: 10.01, longitude: 105.08, plates: ['68'] },
  '92': { population: 1.24, latitude: 10.03, longitude: 105.78, plates: ['65'] },
  '93': { population: 0.73, latitude: 9.78, longitude: 105.47, plates: ['95'] },
  '94': { population: 1.2, latitude: 9.6, longitude: 105.97, plates: ['83'] },
  '95': { population: 0.91, latitude: 9.29, longitude: 105.72, plates: ['94'] },
  '96': { population: 1.19, latitude: 9.18, longitude: 105.15, plates: ['69'] },
};

for (const province of PROVINCES) {
  if (!GEOGRAPHY[province.code]) throw new Error(`geography: province ${province.code} missing`);
}

function geographyOf(code: string): ProvinceGeography {
  const geography = GEOGRAPHY[code];
  if (!geography) throw new Error(`geography: no province ${code}`);
  return geography;
}

/** Provinces weighted by population: where people live. */
export const PROVINCES_BY_POPULATION = new WeightedTable(PROVINCES.map((p) => [p.code, geographyOf(p.code).population] as const));

/** A position within roughly 0.1° (about 10 km) of the province's capital, 4 decimals. */
export function positionIn(random: Random, provinceCode: string): { latitude: number; longitude: number } {
  const { latitude, longitude } = geographyOf(provinceCode);
  return {
    latitude: Math.round((latitude + (random.float() - 0.5) * 0.2) * 10_000) / 10_000,
    longitude: Math.round((longitude + (random.float() - 0.5) * 0.2) * 10_000) / 10_000,
  };
}

/** One of the province's plate codes, the main one most often. */
function plateCode(random: Random, provinceCode: string): string {
  const plates = geographyOf(provinceCode).plates;
  return random.chance(0.7) ? plates[0]! : random.pick(plates);
}

/** A car plate registered in the province: "51B-123.45" (series letter B: coaches; A, F, G, K: private cars). */
export function plateIn(random: Random, provinceCode: string, coach: boolean): string {
  const series = coach ? 'B' : random.pick(['A', 'A', 'A', 'F', 'G', 'K']);
  return `${plateCode(random, provinceCode)}${series}-${random.digits(3)}.${random.digits(2)}`;
}

/** A motorbike plate registered in the province: "59X1-234.56". */
export function motorbikePlateIn(random: Random, provinceCode: string): string {
  const series = `${random.pick(['X', 'H', 'K', 'L', 'P'])}${random.between(1, 9)}`;
  return `${plateCode(random, provinceCode)}${series}-${random.digits(3)}.${random.digits(2)}`;
}

export interface Ward {
  code: string;
  name: string;
}

export interface District {
  code: string;
  /** With its prefix: "Quận 3", "Quận Gò Vấp", "Huyện Củ Chi", "TP Thủ Đức". */
  name: string;
  /** Whether people there have village addresses ("Thôn", "Ấp") rather than street numbers. */
  rural: boolean;
  wards: readonly Ward[];
}

/** Wards named "Phường 1" … "Phường n". */
function numberedWards(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `Phường ${i + 1}`);
}

function wardsOf(prefix: string, names: readonly string[]): string[] {
  return names.map((name) => `${prefix} ${name}`);
}

/** A district whose ward codes run from `firstWard` in steps of 3, as GSO numbers them. */
function district(code: string, name: string, firstWard: number, wardNames: readonly string[]): District {
  return {
    code,
    name,
    rural: name.startsWith('Huyện'),
    wards: wardNames.map((wardName, i) => ({ code: String(firstWard + 3 * i).padStart(5, '0'), name: wardName })),
  };
}

/** Districts of the most populous provinces; residents of other provinces give no district. */
export const DISTRICTS: Readonly<Record<string, readonly District[]>> = {
  '01': [
    district('001', 'Quận Ba Đình', 1, wardsOf('Phường', ['Phúc Xá', 'Trúc Bạch', 'Vĩnh Phúc', 'Cống Vị', 'Liễu Giai', 'Ngọc Hà', 'Kim Mã', 'Giảng Võ'])),
    district('002', 'Quận Hoàn Kiếm', 37, wardsOf('Phường', ['Phúc Tân', 'Đồng Xuân', 'Hàng Mã', 'Hàng Buồm', 'Hàng Đào', 'Hàng Bạc', 'Tràng Tiền', 'Hàng Bài'])),
    district('004', 'Quận Long Biên', 97, wardsOf('Phường', ['Thượng Thanh', 'Ngọc Thụy', 'Giang Biên', 'Đức Giang', 'Việt Hưng', 'Gia Thụy', 'Ngọc Lâm', 'Bồ Đề'])),
    district('005', 'Quận Cầu Giấy', 151, wardsOf('Phường', ['Nghĩa Đô', 'Nghĩa Tân', 'Mai Dịch', 'Dịch Vọng', 'Dịch Vọng Hậu', 'Quan Hoa', 'Yên Hòa', 'Trung Hòa'])),
    district('006', 'Quận Đống Đa', 199, wardsOf('Phường', ['Cát Linh', 'Văn Miếu', 'Quốc Tử Giám', 'Láng Thượng', 'Ô Chợ Dừa', 'Văn Chương', 'Hàng Bột', 'Láng Hạ', 'Khâm Thiên', 'Kim Liên', 'Phương Mai'])),
    district('007', 'Quận Hai Bà Trưng', 256, wardsOf('Phường', ['Nguyễn Du', 'Bạch Đằng', 'Phạm Đình Hổ', 'Lê Đại Hành', 'Phố Huế', 'Thanh Nhàn', 'Bách Khoa', 'Bạch Mai', 'Minh Khai', 'Trương Định'])),
    district('008', 'Quận Hoàng Mai', 301, wardsOf('Phường', ['Thanh Trì', 'Vĩnh Hưng', 'Định Công', 'Mai Động', 'Tương Mai', 'Đại Kim', 'Giáp Bát', 'Hoàng Liệt'])),
    district('009', 'Quận Thanh Xuân', 331, wardsOf('Phường', ['Nhân Chính', 'Thượng Đình', 'Khương Trung', 'Khương Mai', 'Thanh Xuân Trung', 'Phương Liệt', 'Kim Giang'])),
    district('268', 'Quận Hà Đông', 9538, wardsOf('Phường', ['Nguyễn Trãi', 'Mộ Lao', 'Văn Quán', 'Vạn Phúc', 'Quang Trung', 'La Khê', 'Phú La', 'Kiến Hưng'])),
  ],
  '79': [
    district('760', 'Quận 1', 26734, wardsOf('Phường', ['Tân Định', 'Đa Kao', 'Bến Nghé', 'Bến Thành', 'Nguyễn Thái Bình', 'Phạm Ngũ Lão', 'Cầu Ông Lãnh', 'Cô Giang', 'Nguyễn Cư Trinh', 'Cầu Kho'])),
    district('761', 'Quận 12', 26764, wardsOf('Phường', ['Thạnh Xuân', 'Thạnh Lộc', 'Hiệp Thành', 'Thới An', 'Tân Chánh Hiệp', 'An Phú Đông', 'Tân Thới Hiệp', 'Trung Mỹ Tây', 'Đông Hưng Thuận'])),
    district('769', 'TP Thủ Đức', 26794, wardsOf('Phường', ['Linh Xuân', 'Bình Chiểu', 'Linh Trung', 'Tam Bình', 'Tam Phú', 'Hiệp Bình Phước', 'Hiệp Bình Chánh', 'Linh Chiểu', 'Linh Tây', 'Bình Thọ', 'Trường Thọ'])),
    district('764', 'Quận Gò Vấp', 26876, numberedWards(16)),
    district('765', 'Quận Bình Thạnh', 26929, numberedWards(17)),
    district('766', 'Quận Tân Bình', 26980, numberedWards(15)),
    district('767', 'Quận Tân Phú', 27025, wardsOf('Phường', ['Tân Sơn Nhì', 'Tây Thạnh', 'Sơn Kỳ', 'Tân Quý', 'Tân Thành', 'Phú Thọ Hòa', 'Phú Thạnh', 'Phú Trung', 'Hòa Thạnh', 'Hiệp Tân', 'Tân Thới Hòa'])),
    district('768', 'Quận Phú Nhuận', 27058, numberedWards(15)),
    district('770', 'Quận 3', 27139, numberedWards(14)),
    district('771', 'Quận 10', 27184, numberedWards(15)),
    district('774', 'Quận 5', 27301, numberedWards(14)),
    district('775', 'Quận 6', 27343, numberedWards(14)),
    district('776', 'Quận 8', 27385, numberedWards(16)),
    district('777', 'Quận Bình Tân', 27436, wardsOf('Phường', ['Bình Hưng Hòa', 'Bình Hưng Hòa A', 'Bình Hưng Hòa B', 'Bình Trị Đông', 'Bình Trị Đông A', 'Bình Trị Đông B', 'Tân Tạo', 'Tân Tạo A', 'An Lạc', 'An Lạc A'])),
    district('778', 'Quận 7', 27475, wardsOf('Phường', ['Tân Thuận Đông', 'Tân Thuận Tây', 'Tân Kiểng', 'Tân Hưng', 'Bình Thuận', 'Tân Quy', 'Phú Thuận', 'Tân Phú', 'Tân Phong', 'Phú Mỹ'])),
    district('783', 'Huyện Củ Chi', 27505, ['Thị trấn Củ Chi', 'Xã Phú Mỹ Hưng', 'Xã An Phú', 'Xã Trung Lập Thượng', 'Xã An Nhơn Tây', 'Xã Tân Thông Hội', 'Xã Phước Thạnh']),
    district('784', 'Huyện Hóc Môn', 27559, ['Thị trấn Hóc Môn', 'Xã Tân Hiệp', 'Xã Nhị Bình', 'Xã Đông Thạnh', 'Xã Tân Thới Nhì', 'Xã Thới Tam Thôn', 'Xã Xuân Thới Sơn', 'Xã Bà Điểm']),
    district('785', 'Huyện Bình Chánh', 27595, ['Thị trấn Tân Túc', 'Xã Phạm Văn Hai', 'Xã Vĩnh Lộc A', 'Xã Vĩnh Lộc B', 'Xã Bình Lợi', 'Xã Lê Minh Xuân', 'Xã Tân Nhựt', 'Xã Bình Chánh']),
  ],
  '48': [
    district('490', 'Quận Liên Chiểu', 20194, wardsOf('Phường', ['Hòa Hiệp Bắc', 'Hòa Hiệp Nam', 'Hòa Khánh Bắc', 'Hòa Khánh Nam', 'Hòa Minh'])),
    district('491', 'Quận Thanh Khê', 20209, wardsOf('Phường', ['Tam Thuận', 'Thanh Khê Tây', 'Thanh Khê Đông', 'Xuân Hà', 'Tân Chính', 'Chính Gián'])),
    district('492', 'Quận Hải Châu', 20227, wardsOf('Phường', ['Thanh Bình', 'Thuận Phước', 'Thạch Thang', 'Hải Châu I', 'Hải Châu II', 'Phước Ninh', 'Hòa Thuận Tây', 'Bình Hiên', 'Hòa Cường Bắc'])),
    district('493', 'Quận Sơn Trà', 20263, wardsOf('Phường', ['Thọ Quang', 'Nại Hiên Đông', 'Mân Thái', 'An Hải Bắc', 'Phước Mỹ', 'An Hải Tây', 'An Hải Đông'])),
    district('494', 'Quận Ngũ Hành Sơn', 20285, wardsOf('Phường', ['Mỹ An', 'Khuê Mỹ', 'Hòa Quý', 'Hòa Hải'])),
    district('495', 'Quận Cẩm Lệ', 20305, wardsOf('Phường', ['Khuê Trung', 'Hòa Phát', 'Hòa An', 'Hòa Thọ Tây', 'Hòa Thọ Đông', 'Hòa Xuân'])),
  ],
  '31': [
    district('303', 'Quận Hồng Bàng', 11296, wardsOf('Phường', ['Quán Toan', 'Hùng Vương', 'Sở Dầu', 'Thượng Lý', 'Hạ Lý', 'Minh Khai', 'Trại Chuối', 'Hoàng Văn Thụ', 'Phan Bội Châu'])),
    district('304', 'Quận Ngô Quyền', 11329, wardsOf('Phường', ['Máy Chai', 'Máy Tơ', 'Vạn Mỹ', 'Cầu Tre', 'Lạc Viên', 'Gia Viên', 'Đông Khê', 'Cầu Đất', 'Lê Lợi', 'Đằng Giang', 'Lạch Tray'])),
    district('305', 'Quận Lê Chân', 11362, wardsOf('Phường', ['Cát Dài', 'An Biên', 'Lam Sơn', 'An Dương', 'Trần Nguyên Hãn', 'Hồ Nam', 'Trại Cau', 'Dư Hàng', 'Hàng Kênh', 'Vĩnh Niệm'])),
  ],
  '74': [
    district('718', 'TP Thủ Dầu Một', 25747, wardsOf('Phường', ['Hiệp Thành', 'Phú Lợi', 'Phú Cường', 'Phú Hòa', 'Phú Thọ', 'Chánh Nghĩa', 'Định Hòa', 'Hòa Phú', 'Phú Mỹ', 'Tương Bình Hiệp'])),
    district('721', 'TX Bến Cát', 25813, wardsOf('Phường', ['Mỹ Phước', 'Chánh Phú Hòa', 'Thới Hòa', 'Hòa Lợi', 'Tân Định'])),
    district('723', 'TX Tân Uyên', 25888, wardsOf('Phường', ['Uyên Hưng', 'Tân Phước Khánh', 'Khánh Bình', 'Tân Hiệp', 'Thái Hòa'])),
    district('724', 'TP Dĩ An', 25942, wardsOf('Phường', ['Dĩ An', 'Tân Bình', 'Tân Đông Hiệp', 'Bình An', 'Bình Thắng', 'Đông Hòa', 'An Bình'])),
    district('725', 'TP Thuận An', 25969, wardsOf('Phường', ['An Thạnh', 'Lái Thiêu', 'Bình Chuẩn', 'Thuận Giao', 'An Phú', 'Hưng Định', 'Bình Nhâm', 'Bình Hòa', 'Vĩnh Phú'])),
  ],
  '75': [
    district('731', 'TP Biên Hòa', 26041, wardsOf('Phường', ['Trảng Dài', 'Tân Phong', 'Tân Biên', 'Hố Nai', 'Tân Hòa', 'Tân Hiệp', 'Bửu Long', 'Tân Tiến', 'Tam Hiệp', 'Long Bình', 'Quang Vinh', 'Tân Mai', 'Thống Nhất', 'Trung Dũng', 'Tam Hòa', 'Hòa Bình'])),
    district('732', 'TP Long Khánh', 26113, wardsOf('Phường', ['Xuân Trung', 'Xuân Thanh', 'Xuân Bình', 'Xuân An', 'Xuân Hòa', 'Phú Bình'])),
    district('736', 'Huyện Trảng Bom', 26206, ['Thị trấn Trảng Bom', 'Xã Thanh Bình', 'Xã Cây Gáo', 'Xã Bàu Hàm', 'Xã Sông Thao', 'Xã Hố Nai 3', 'Xã Bắc Sơn']),
    district('740', 'Huyện Long Thành', 26368, ['Thị trấn Long Thành', 'Xã An Phước', 'Xã Bình An', 'Xã Long Đức', 'Xã Lộc An', 'Xã Bình Sơn']),
    district('742', 'Huyện Nhơn Trạch', 26458, ['Xã Hiệp Phước', 'Xã Phước Thiền', 'Xã Long Tân', 'Xã Đại Phước', 'Xã Phú Hội']),
  ],
  '92': [
    district('916', 'Quận Ninh Kiều', 31117, wardsOf('Phường', ['Cái Khế', 'An Hòa', 'Thới Bình', 'An Nghiệp', 'An Cư', 'Tân An', 'An Phú', 'Xuân Khánh', 'Hưng Lợi', 'An Khánh'])),
    district('918', 'Quận Bình Thủy', 31150, wardsOf('Phường', ['Bình Thủy', 'Trà An', 'Trà Nóc', 'Thới An Đông', 'An Thới', 'Bùi Hữu Nghĩa', 'Long Hòa', 'Long Tuyền'])),
    district('919', 'Quận Cái Răng', 31174, wardsOf('Phường', ['Lê Bình', 'Hưng Phú', 'Hưng Thạnh', 'Ba Láng', 'Thường Thạnh', 'Phú Thứ', 'Tân Phú'])),
  ],
};

const NORTHERN_STREETS = [
  'Phan Huy Ích', 'Cầu Giấy', 'Xuân Thủy', 'Láng Hạ', 'Kim Mã', 'Giải Phóng', 'Trường Chinh', 'Nguyễn Trãi', 'Tây Sơn',
  'Lê Duẩn', 'Hoàng Quốc Việt', 'Minh Khai', 'Bạch Mai', 'Lạch Tray', 'Lê Lợi', 'Trần Phú', 'Quang Trung',
  'Nguyễn Văn Cừ', 'Tôn Đức Thắng', 'Phạm Văn Đồng', 'Hùng Vương', 'Trần Hưng Đạo',
];

const SOUTHERN_STREETS = [
  'Lê Văn Sỹ', 'Nguyễn Đình Chiểu', 'Cách Mạng Tháng Tám', 'Võ Văn Tần', 'Điện Biên Phủ', 'Lý Thường Kiệt',
  'Quang Trung', 'Phan Văn Trị', 'Nguyễn Oanh', 'Lê Đức Thọ', 'Âu Cơ', 'Lũy Bán Bích', 'Kinh Dương Vương',
  'Tỉnh lộ 10', 'Phạm Văn Thuận', 'Huỳnh Văn Lũy', 'Nguyễn Văn Linh', '3 Tháng 2', 'Trần Hưng Đạo', 'Hùng Vương',
];

const VILLAGES = ['Thôn Đông', 'Thôn Tây', 'Thôn Trung', 'Thôn Thượng', 'Thôn Hạ', 'Thôn Bắc', 'Thôn Tân Lập', 'Thôn Phú Mỹ'];

/** From Bình Thuận southwards addresses follow southern habits ("45/12 Lê Văn Sỹ", "Ấp 3"). */
function isSouthern(provinceCode: string): boolean {
  return provinceCode >= '60';
}

/** A house address line as people write it: street addresses in towns, hamlets and villages in the countryside. */
export function addressLine(random: Random, provinceCode: string, rural: boolean): string {
  const south = isSouthern(provinceCode);
  if (rural) {
    if (south) return random.chance(0.5) ? `Ấp ${random.between(1, 6)}` : `Tổ ${random.between(1, 12)}, ấp ${random.between(1, 6)}`;
    return random.chance(0.5) ? `Xóm ${random.between(1, 9)}, ${random.pick(VILLAGES).replace('Thôn', 'thôn')}` : random.pick(VILLAGES);
  }
  const number = random.between(1, 320);
  if (south) {
    const street = random.pick(SOUTHERN_STREETS);
    return random.chance(0.45) ? `${number}/${random.between(1, 60)} ${street}` : `${number} ${street}`;
  }
  const street = random.pick(NORTHERN_STREETS);
  return random.chance(0.45) ? `Số ${random.between(1, 80)} ngõ ${random.between(2, 250)} ${street}` : `Số ${number} ${street}`;
}
