/**
 * The domestic transport network journeys are drawn from: airports and the airlines flying between
 * them, the stations of the North–South railway (SE trains), main coach stations, and passenger
 * boat routes. Written for this generator; names are real places, numbers are plausible.
 */
import { provinceByCode } from '../platform/provinces.ts';
import type { Random } from './random.ts';

export interface Terminal {
  provinceCode: string;
  /** As people write it on a declaration: "Sân bay Nội Bài", "Ga Sài Gòn". */
  name: string;
}

export const AIRPORTS: readonly Terminal[] = [
  { provinceCode: '01', name: 'Sân bay Nội Bài' },
  { provinceCode: '79', name: 'Sân bay Tân Sơn Nhất' },
  { provinceCode: '48', name: 'Sân bay Đà Nẵng' },
  { provinceCode: '31', name: 'Sân bay Cát Bi' },
  { provinceCode: '56', name: 'Sân bay Cam Ranh' },
  { provinceCode: '40', name: 'Sân bay Vinh' },
  { provinceCode: '38', name: 'Cảng hàng không Thọ Xuân' },
  { provinceCode: '46', name: 'Sân bay Phú Bài' },
  { provinceCode: '52', name: 'Sân bay Phù Cát' },
  { provinceCode: '91', name: 'Sân bay Phú Quốc' },
  { provinceCode: '92', name: 'Sân bay Cần Thơ' },
  { provinceCode: '68', name: 'Sân bay Liên Khương' },
  { provinceCode: '66', name: 'Sân bay Buôn Ma Thuột' },
  { provinceCode: '64', name: 'Sân bay Pleiku' },
  { provinceCode: '44', name: 'Sân bay Đồng Hới' },
  { provinceCode: '22', name: 'Sân bay Vân Đồn' },
];

/** Domestic airlines and their flight number ranges: VN213, VJ122, QH1521, BL6020. */
const AIRLINES: readonly { code: string; min: number; max: number }[] = [
  { code: 'VN', min: 120, max: 1899 },
  { code: 'VJ', min: 120, max: 899 },
  { code: 'QH', min: 100, max: 1699 },
  { code: 'BL', min: 6000, max: 6299 },
];

export function flightCode(random: Random): string {
  const airline = random.pick(AIRLINES);
  return `${airline.code}${random.between(airline.min, airline.max)}`;
}

/** Stations of the North–South railway, north to south. */
export const RAIL_STATIONS: readonly Terminal[] = [
  { provinceCode: '01', name: 'Ga Hà Nội' },
  { provinceCode: '35', name: 'Ga Phủ Lý' },
  { provinceCode: '36', name: 'Ga Nam Định' },
  { provinceCode: '37', name: 'Ga Ninh Bình' },
  { provinceCode: '38', name: 'Ga Thanh Hóa' },
  { provinceCode: '40', name: 'Ga Vinh' },
  { provinceCode: '44', name: 'Ga Đồng Hới' },
  { provinceCode: '45', name: 'Ga Đông Hà' },
  { provinceCode: '46', name: 'Ga Huế' },
  { provinceCode: '48', name: 'Ga Đà Nẵng' },
  { provinceCode: '49', name: 'Ga Tam Kỳ' },
  { provinceCode: '51', name: 'Ga Quảng Ngãi' },
  { provinceCode: '52', name: 'Ga Diêu Trì' },
  { provinceCode: '54', name: 'Ga Tuy Hòa' },
  { provinceCode: '56', name: 'Ga Nha Trang' },
  { provinceCode: '58', name: 'Ga Tháp Chàm' },
  { provinceCode: '60', name: 'Ga Bình Thuận' },
  { provinceCode: '75', name: 'Ga Biên Hòa' },
  { provinceCode: '79', name: 'Ga Sài Gòn' },
];

/** SE trains: odd numbers run southbound (SE1, SE3, …), even ones northbound. */
export function trainCode(random: Random, southbound: boolean): string {
  return `SE${random.between(0, 3) * 2 + (southbound ? 1 : 2)}`;
}

const COACH_STATIONS: Readonly<Record<string, readonly string[]>> = {
  '01': ['Bến xe Giáp Bát', 'Bến xe Mỹ Đình', 'Bến xe Nước Ngầm', 'Bến xe Gia Lâm'],
  '79': ['Bến xe Miền Đông', 'Bến xe Miền Tây', 'Bến xe An Sương'],
  '48': ['Bến xe Trung tâm Đà Nẵng'],
  '31': ['Bến xe Niệm Nghĩa', 'Bến xe Lạc Long'],
  '92': ['Bến xe Trung tâm Cần Thơ'],
};

/** A coach station of the province: its main ones where listed, else "Bến xe <province>". */
export function coachStation(random: Random, provinceCode: string): string {
  const stations = COACH_STATIONS[provinceCode];
  return stations ? random.pick(stations) : `Bến xe ${provinceByCode(provinceCode)?.name ?? provinceCode}`;
}

export interface BoatRoute {
  from: Terminal;
  to: Terminal;
  /** Vessel registrations as passengers copy them from the ticket. */
  vessels: readonly string[];
}

export const BOAT_ROUTES: readonly BoatRoute[] = [
  { from: { provinceCode: '79', name: 'Bến Bạch Đằng' }, to: { provinceCode: '77', name: 'Cảng Cầu Đá Vũng Tàu' }, vessels: ['SG-5128', 'SG-5206', 'SG-6072'] },
  { from: { provinceCode: '94', name: 'Cảng Trần Đề' }, to: { provinceCode: '77', name: 'Cảng Bến Đầm Côn Đảo' }, vessels: ['ST-0968', 'ST-1012'] },
  { from: { provinceCode: '91', name: 'Bến tàu Rạch Giá' }, to: { provinceCode: '91', name: 'Cảng Bãi Vòng Phú Quốc' }, vessels: ['KG-0999', 'KG-1688', 'KG-2126'] },
  { from: { provinceCode: '31', name: 'Bến Bính' }, to: { provinceCode: '22', name: 'Cảng Cái Rồng Vân Đồn' }, vessels: ['HP-4326', 'QN-6123'] },
];
